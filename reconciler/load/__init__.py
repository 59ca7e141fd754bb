"""Loading desired state: YAML documents -> validated specs -> the schema model."""

from reconciler.load.loader import LoadResult, load_documents, load_paths
from reconciler.load.yamlsrc import Document

__all__ = ["Document", "LoadResult", "load_documents", "load_paths"]

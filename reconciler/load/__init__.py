"""Loading desired state: YAML documents -> validated specs -> the schema model."""

from reconciler.load.loader import LoadResult, load_paths

__all__ = ["LoadResult", "load_paths"]

"""Export: a live catalog written as minimal, deterministic desired-state YAML that loads back
into an equal catalog.

`writer` lays out the files and writes tables, enums and sequences; `usertypes` domains,
composite types, collations, row-level security and grants; `code` routines, views and triggers;
`partitions` partitioning; `values` is the one converter of SQL values to YAML scalars.
"""

from reconciler.export.writer import ExportResult, export_catalog

__all__ = ["ExportResult", "export_catalog"]

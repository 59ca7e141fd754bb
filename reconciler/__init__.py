"""reconciler: GitOps schema-as-code for PostgreSQL.

The pipeline, one package per stage: load / introspect -> model -> diff -> plan -> gates ->
execute -> report; `service` is the one entry point the CLI and the operator share.
"""

__version__ = "0.1.0"

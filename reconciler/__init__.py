"""reconciler: GitOps schema-as-code for PostgreSQL.

The pipeline, one package per stage: load / introspect -> model -> normalize -> diff -> plan
(SQL composed by ddl) -> gates -> execute -> drift / report; `service` is the one entry point the
shells (cli, operator) share. docs/architecture.md draws it.
"""

__version__ = "0.1.0"

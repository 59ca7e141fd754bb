"""Export of code objects: functions, procedures, views and materialized views as YAML documents
(one file per object, under `<schema>/functions/`, `procedures/`, `views/`, `materialized-views/`),
and the `triggers` of a table.

Stage: export, called by `export.writer.render_files`. Same contract: the files load back
into a catalog equal to the live one. Values at their defaults are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.export.usertypes import routine_grants
from reconciler.export.values import put, sql_value
from reconciler.introspect.grants import routine as routine_target
from reconciler.model import Catalog, Function, MaterializedView, Table, Trigger, View
from reconciler.sqlparse.fragments import sql_name

Document = dict[str, Any]
FOLDERS = {
    "function": "functions",
    "procedure": "procedures",
    "view": "views",
    "materialized view": "materialized-views",
}


def _head(obj: Function | View | MaterializedView, metadata_name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if obj.schema != "public":
        spec["schema"] = obj.schema
    if obj.name != metadata_name:
        spec["name"] = obj.name
    return spec


def function_spec(function: Function, metadata_name: str) -> dict[str, Any]:
    spec = _head(function, metadata_name)
    arguments = []
    for argument in function.arguments:
        item: dict[str, Any] = {}
        put(item, "name", argument.name)
        item["type"] = argument.type
        put(item, "mode", argument.mode, "in")
        if argument.default is not None:
            item["default"] = sql_value(argument.default)
        arguments.append(item)
    put(spec, "arguments", arguments)
    if function.kind == "function":
        if function.table:
            spec["returns"] = {"table": [{"name": c.name, "type": c.type} for c in function.table]}
        elif function.setof:
            spec["returns"] = {"setof": function.returns}
        else:
            spec["returns"] = function.returns
        put(spec, "volatility", function.volatility, "volatile")
        put(spec, "strict", function.strict, False)
        put(spec, "parallel", function.parallel, "unsafe")
    spec["language"] = function.language
    put(spec, "securityDefiner", function.security_definer, False)
    if function.search_path is not None:
        spec["searchPath"] = list(function.search_path)
    spec["body"] = function.body
    put(spec, "comment", function.comment)
    return spec


def view_spec(view: View, metadata_name: str) -> dict[str, Any]:
    spec = _head(view, metadata_name)
    spec["query"] = view.query
    put(spec, "checkOption", view.check_option)
    put(spec, "securityBarrier", view.security_barrier, False)
    put(spec, "securityInvoker", view.security_invoker, False)
    put(spec, "comment", view.comment)
    return spec


def materialized_view_spec(
    view: MaterializedView, metadata_name: str, index: Callable[[Any, set[str]], dict[str, Any]]
) -> dict[str, Any]:
    spec = _head(view, metadata_name)
    spec["query"] = view.query
    # index names always written: the loader's derivation is checked for tables only
    put(spec, "indexes", [index(i, {i.name}) for i in view.indexes])
    put(spec, "comment", view.comment)
    return spec


def trigger_spec(trigger: Trigger) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": trigger.name, "timing": trigger.timing, "events": list(trigger.events)}
    put(spec, "columns", trigger.update_columns)
    put(spec, "forEach", trigger.for_each, "row")
    put(spec, "when", trigger.when)
    spec["function"] = sql_name([trigger.function.schema, trigger.function.name])
    put(spec, "arguments", trigger.arguments)
    put(spec, "enabled", trigger.enabled, "origin")
    put(spec, "comment", trigger.comment)
    return spec


def table_triggers(table: Table) -> list[dict[str, Any]]:
    return [trigger_spec(t) for t in table.triggers]


def code_files(
    catalog: Catalog,
    schema: str,
    metadata: Callable[..., str],
    path: Callable[..., str],
    document: Callable[[str, str, dict[str, Any]], Document],
    index: Callable[[Any, set[str]], dict[str, Any]],
) -> dict[str, list[Document]]:
    """Files of one schema's code objects: relative path -> documents."""
    files: dict[str, list[Document]] = {}
    scoped = (lambda name: (name,)) if schema == "public" else (lambda name: (schema, name))
    for function in (f for f in catalog.functions if f.schema == schema):
        kind = "Function" if function.kind == "function" else "Procedure"
        meta = metadata(kind, *scoped(function.name))
        spec = function_spec(function, meta)
        grants = routine_grants(catalog, routine_target(function))
        if grants:
            spec["grants"] = grants
        files[path(schema, FOLDERS[function.kind], function.name)] = [document(kind, meta, spec)]
    for view in (v for v in catalog.views if v.schema == schema):
        meta = metadata("View", *scoped(view.name))
        files[path(schema, FOLDERS["view"], view.name)] = [document("View", meta, view_spec(view, meta))]
    for matview in (v for v in catalog.materialized_views if v.schema == schema):
        meta = metadata("MaterializedView", *scoped(matview.name))
        files[path(schema, FOLDERS["materialized view"], matview.name)] = [
            document("MaterializedView", meta, materialized_view_spec(matview, meta, index))
        ]
    return files

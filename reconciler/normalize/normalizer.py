"""Scratch databases, and normalization of the desired schema through one.

Stage: normalize, between load and diff. Comparing the YAML's text with the catalog's text directly would
mean re-implementing PostgreSQL's normalization of types, defaults, expressions and index
definitions, a bottomless pit. Instead we let PostgreSQL do it: render the desired model as DDL
into a scratch database, read it back with the same introspection as the live side, and compare
model to model. Both sides then speak PostgreSQL's own spelling.

The scratch database (`normalize.scratch`) is always dropped afterwards.

Errors PostgreSQL raises while rendering the desired schema (an unknown type, a check that does
not type-check) are reported against the YAML file that defined the object.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import psycopg

from reconciler.ddl.catalog import create_catalog
from reconciler.ddl.statement import Statement, run_batched
from reconciler.errors import NormalizationError
from reconciler.introspect import LiveState, read_catalog
from reconciler.introspect.grants import respell_routine_targets
from reconciler.model import Catalog, CompositeType, Domain, EnumType, Extension, Sequence, Table
from reconciler.normalize.scratch import scratch_database
from reconciler.pg import dsn as dsnlib

Renamable = TypeVar("Renamable", EnumType, Sequence, Domain, CompositeType)


def desired_scope(catalog: Catalog) -> list[str]:
    """Schemas a desired catalog manages: declared ones and those its objects live in."""
    return sorted(catalog.schema_names())


# --- normalization -------------------------------------------------------------------------


def render(
    conn: psycopg.Connection[Any], statements: list[Statement], origins: dict[tuple[str, str, str], str]
) -> None:
    """Run `statements`, reporting a failure against the YAML that defined its object."""

    def located(statement: Statement, exc: psycopg.Error) -> None:
        raise NormalizationError(_located_failure(statement, exc, origins)) from None

    try:
        run_batched(conn, statements, on_error=located)
    except psycopg.Error as exc:
        raise NormalizationError(
            f"PostgreSQL rejected the desired schema: {str(exc).strip().splitlines()[0]}"
        ) from None


def _located_failure(statement: Statement, exc: psycopg.Error, origins: dict[tuple[str, str, str], str]) -> str:
    reason = exc.diag.message_primary or str(exc).strip().splitlines()[0]
    if exc.diag.message_hint:
        reason += f" (hint: {exc.diag.message_hint})"
    if statement.subject is None:
        return f"PostgreSQL rejected the desired schema: {reason}"
    kind, schema, name = statement.subject
    where = origins.get(statement.subject)
    shown = f"{kind} {schema}.{name}" if kind not in ("schema", "extension") else f"{kind} {name}"
    prefix = f"{where}: " if where else ""
    return f"{prefix}{shown}: PostgreSQL rejected it: {reason}"


def normalize(
    desired: Catalog,
    dsn: str,
    *,
    origins: dict[tuple[str, str, str], str] | None = None,
) -> LiveState:
    """The desired catalog as PostgreSQL stores it: rendered into a scratch database next to
    `dsn` and read back. Migration hints are carried over from `desired`."""
    with scratch_database(dsn) as scratch_dsn, dsnlib.connect(scratch_dsn, autocommit=True) as conn:
        render(conn, create_catalog(desired), origins or {})
        desired = respell_routine_targets(conn, desired)
        state = read_catalog(conn, desired_scope(desired), dsn=scratch_dsn)
    return dataclasses.replace(state, catalog=with_hints(state.catalog, desired))


def already_normalized(desired: Catalog, candidates: list[Catalog]) -> Catalog | None:
    """The normalized desired catalog without a scratch database, when every desired object is
    already spelled exactly as some live catalog has it (live catalogs are normalized: a round
    trip through PostgreSQL gives them back unchanged). Typical of YAML made by `export` and of
    audits where most environments are in sync. None when anything needs PostgreSQL's opinion."""
    if "public" in desired.schema_names() and "public" not in {s.name for s in desired.schemas}:
        return None  # the scratch database would contribute public's own comment
    by_kind: dict[str, Callable[[Catalog], dict[Any, Any]]] = {
        "schemas": lambda cat: {s.name: s for s in cat.schemas},
        "enums": lambda cat: {e.qname: e for e in cat.enums},
        "sequences": lambda cat: {s.qname: s for s in cat.sequences},
        "tables": lambda cat: {t.qname: t for t in cat.tables},
        "functions": lambda cat: {f.signature: f for f in cat.functions},
        "views": lambda cat: {v.qname: v for v in cat.views},
        "materialized_views": lambda cat: {v.qname: v for v in cat.materialized_views},
        "domains": lambda cat: {d.qname: d for d in cat.domains},
        "composite_types": lambda cat: {t.qname: t for t in cat.composite_types},
        "collations": lambda cat: {c.qname: c for c in cat.collations},
    }
    indexed = [{kind: index(cat) for kind, index in by_kind.items()} for cat in candidates]
    for kind in by_kind:
        for obj in getattr(desired, kind):
            key = obj.name if kind == "schemas" else obj.signature if kind == "functions" else obj.qname
            # dataclass equality: every compared field (hints excluded), columns in their order
            if not any(idx[kind].get(key) == obj for idx in indexed):
                return None
    extensions = []
    for extension in desired.extensions:
        live = next((e for cat in candidates for e in cat.extensions if e.name == extension.name), None)
        if (
            live is None
            or (extension.schema not in (None, live.schema))
            or (extension.version not in (None, live.version))
        ):
            return None
        extensions.append(dataclasses.replace(live, version=extension.version))
    return dataclasses.replace(desired, extensions=tuple(extensions))


def normalized_catalog(
    desired: Catalog,
    dsn: str,
    *,
    origins: dict[tuple[str, str, str], str] | None = None,
    candidates: Iterable[Catalog] = (),
) -> Catalog:
    """`normalize`, skipping the scratch database when `already_normalized` can tell."""
    shortcut = already_normalized(desired, list(candidates))
    if shortcut is not None:
        return shortcut
    return normalize(desired, dsn, origins=origins).catalog


def with_hints(normalized: Catalog, desired: Catalog) -> Catalog:
    """Copy migration hints from `desired` onto the matching objects of `normalized`, and keep
    unpinned extension versions unpinned."""
    return dataclasses.replace(
        normalized,
        extensions=tuple(_extension_hint(e, desired) for e in normalized.extensions),
        enums=tuple(_renamed(e, desired.enum(e.qname)) for e in normalized.enums),
        sequences=tuple(_renamed(s, desired.sequence(s.qname)) for s in normalized.sequences),
        tables=tuple(_table_hints(t, desired.table(t.qname)) for t in normalized.tables),
        materialized_views=tuple(_refresh_hint(v, desired) for v in normalized.materialized_views),
        domains=tuple(
            _renamed(d, next((w for w in desired.domains if w.qname == d.qname), None)) for d in normalized.domains
        ),
        composite_types=tuple(
            _renamed(t, next((w for w in desired.composite_types if w.qname == t.qname), None))
            for t in normalized.composite_types
        ),
        # grants are not rendered (their roles may not exist yet) and need no normalization
        grants=desired.grants,
        default_privileges=desired.default_privileges,
    )


def _refresh_hint(view: Any, desired: Catalog) -> Any:
    source = next((v for v in desired.materialized_views if v.qname == view.qname), None)
    return view if source is None else dataclasses.replace(view, refresh=source.refresh)


def _extension_hint(extension: Extension, desired: Catalog) -> Extension:
    wanted = next((e for e in desired.extensions if e.name == extension.name), None)
    if wanted is not None and wanted.version is None:
        return dataclasses.replace(extension, version=None)
    return extension


def _renamed(obj: Renamable, source: Renamable | None) -> Renamable:
    if source is None or source.renamed_from is None:
        return obj
    return dataclasses.replace(obj, renamed_from=source.renamed_from)


def _table_hints(table: Table, source: Table | None) -> Table:
    if source is None:
        return table
    columns = tuple(_copy_hints(c, source.column(c.name), ("renamed_from", "backfill", "using")) for c in table.columns)
    by_name = {c.name: c for c in source.constraints()}
    indexes = {i.name: i for i in source.indexes}
    pk = (
        _copy_hints(table.primary_key, by_name.get(table.primary_key.name), ("renamed_from",))
        if table.primary_key
        else None
    )
    return dataclasses.replace(
        table,
        columns=columns,
        primary_key=pk,
        uniques=tuple(_copy_hints(u, by_name.get(u.name), ("renamed_from",)) for u in table.uniques),
        checks=tuple(_copy_hints(c, by_name.get(c.name), ("renamed_from",)) for c in table.checks),
        foreign_keys=tuple(_copy_hints(f, by_name.get(f.name), ("renamed_from",)) for f in table.foreign_keys),
        indexes=tuple(_copy_hints(i, indexes.get(i.name), ("renamed_from",)) for i in table.indexes),
        renamed_from=source.renamed_from,
    )


def _copy_hints(obj: Any, source: Any, names: tuple[str, ...]) -> Any:
    if source is None:
        return obj
    return dataclasses.replace(obj, **{n: getattr(source, n) for n in names})

"""The differ: live catalog + desired catalog -> typed changes, in a deterministic order.

Stage: diff. Both catalogs must be in PostgreSQL's spelling (the desired one normalized through
a scratch database), so attribute comparison is plain equality.

Decisions that matter:
- Renames come only from `renamedFrom` hints, and only when the old name exists live and the
  new one does not; a hint that no longer matches anything is ignored. A dropped and an added
  column of the same type in one table look like a rename: both changes say so, so the planner
  can warn before data is dropped.
- Extensions that exist live but are not declared are left alone (they are often installed by a
  DBA for several teams); an unpinned extension version matches any version.
- A constraint declared `notValid` that is already validated live is in the desired state: a
  validated constraint satisfies a not-validated one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from reconciler.diff import changes as c
from reconciler.diff import grants, partitions, usertypes
from reconciler.diff.code import diff_code
from reconciler.diff.matching import match
from reconciler.model import (
    Catalog,
    CheckConstraint,
    Column,
    Constraint,
    EnumType,
    ForeignKey,
    Index,
    QualifiedName,
    Table,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


def diff(live: Catalog, desired: Catalog, *, baseline: bool = False) -> list[c.Change]:
    """Every change that turns `live` into `desired` (with `baseline`, `desired` is another
    environment's live catalog: see grants.between_environments)."""
    found: list[c.Change] = []
    found += _schemas(live, desired)
    found += _extensions(live, desired)
    found += _enums(live, desired)
    found += usertypes.catalog_changes(live, desired)
    found += _sequences(live, desired)
    found += _tables(live, desired)
    found += grants.between_environments(live, desired) if baseline else grants.changes(live, desired)
    found += diff_code(live, desired)
    return partitions.refine(found, live, desired)


def _without(obj: T, **fields: object) -> T:
    return dataclasses.replace(obj, **fields)


# --- database-level ------------------------------------------------------------------------


def _schemas(live: Catalog, desired: Catalog) -> Iterable[c.Change]:
    current = {s.name: s for s in live.schemas}
    for schema in desired.schemas:
        existing = current.get(schema.name)
        if existing is None:
            if schema.name != "public":
                yield c.AddSchema(schema)
        elif existing != schema:
            yield c.AlterSchema(existing, schema)


def _extensions(live: Catalog, desired: Catalog) -> Iterable[c.Change]:
    current = {e.name: e for e in live.extensions}
    for extension in desired.extensions:
        existing = current.get(extension.name)
        if existing is None:
            yield c.AddExtension(extension)
            continue
        wanted = extension if extension.version is not None else _without(extension, version=existing.version)
        wanted = wanted if wanted.schema is not None else _without(wanted, schema=existing.schema)
        if wanted != existing:
            yield c.AlterExtension(existing, wanted)


def _enums(live: Catalog, desired: Catalog) -> Iterable[c.Change]:
    pairs, added, dropped = match(
        {e.qname: e for e in live.enums}, {e.qname: e for e in desired.enums}, lambda e: e.renamed_from
    )
    for enum in added:
        yield c.AddEnum(enum)
    for old, new, renamed in pairs:
        if renamed:
            yield c.RenameEnum(old, new)
        if old.values != new.values or old.comment != new.comment:
            yield _alter_enum(old, new)
    for enum in dropped:
        yield c.DropEnum(enum)


def _alter_enum(old: EnumType, new: EnumType) -> c.AlterEnum:
    kept = [v for v in old.values if v in new.values]
    removed = tuple(v for v in old.values if v not in new.values)
    reordered = kept != [v for v in new.values if v in old.values]
    # New values in declared order, each placed after its predecessor in the desired list (which
    # exists by then: it is an old value or was added just before); a first value goes before
    # the first old one.
    added: list[tuple[str, str | None, bool]] = []
    for i, value in enumerate(new.values):
        if value in old.values:
            continue
        if i > 0:
            added.append((value, new.values[i - 1], False))
        else:
            added.append((value, next((v for v in new.values if v in old.values), None), True))
    return c.AlterEnum(old, new, tuple(added), removed, reordered)


def _sequences(live: Catalog, desired: Catalog) -> Iterable[c.Change]:
    pairs, added, dropped = match(
        {s.qname: s for s in live.sequences}, {s.qname: s for s in desired.sequences}, lambda s: s.renamed_from
    )
    for sequence in added:
        yield c.AddSequence(sequence)
    for old, new, renamed in pairs:
        if renamed:
            yield c.RenameSequence(old, new)
        if _without(old, schema="", name="") != _without(new, schema="", name=""):
            yield c.AlterSequence(old, new)
    for sequence in dropped:
        yield c.DropSequence(sequence)


# --- tables --------------------------------------------------------------------------------


def _tables(live: Catalog, desired: Catalog) -> Iterable[c.Change]:
    pairs, added, dropped = match(
        {t.qname: t for t in live.tables}, {t.qname: t for t in desired.tables}, lambda t: t.renamed_from
    )
    # a foreign key follows the table it references through a rename: compare under the new name
    table_renames = {old.qname: new.qname for old, new, renamed in pairs if renamed}
    renamed_types = usertypes.type_renames(live, desired)  # a column keeps a renamed domain or type
    pairs = [(usertypes.translate_types(old, renamed_types), new, renamed) for old, new, renamed in pairs]
    for table in added:
        yield c.AddTable(table)
        yield from usertypes.new_table_changes(table)
    for old, new, renamed in pairs:
        if renamed:
            yield c.RenameTable(old, new)
        if old.comment != new.comment:
            yield c.AlterTableComment(old, new)
        yield from _columns(old, new)
        yield from _constraints(old, new, table_renames)
        yield from _indexes(old, new)
        yield from usertypes.table_changes(old, new)
    for table in dropped:
        yield c.DropTable(table)


def column_alterations(old: Column, new: Column) -> frozenset[c.ColumnAlteration]:
    kinds = set()
    if old.type != new.type:
        kinds.add(c.ColumnAlteration.TYPE)
    if old.nullable != new.nullable:
        kinds.add(c.ColumnAlteration.NULLABILITY)
    if old.default != new.default:
        kinds.add(c.ColumnAlteration.DEFAULT)
    if old.identity != new.identity:
        kinds.add(c.ColumnAlteration.IDENTITY)
    if old.generated != new.generated:
        kinds.add(c.ColumnAlteration.GENERATED)
    if old.collation != new.collation:
        kinds.add(c.ColumnAlteration.COLLATION)
    if old.comment != new.comment:
        kinds.add(c.ColumnAlteration.COMMENT)
    return frozenset(kinds)


def _columns(live: Table, desired: Table) -> Iterable[c.Change]:
    pairs, added, dropped = match(
        {col.name: col for col in live.columns},
        {col.name: col for col in desired.columns},
        lambda col: col.renamed_from,
    )
    renames = _rename_suggestions(added, dropped)
    for column in added:
        yield c.AddColumn(live, desired, column, looks_like_rename_of=renames.get(column.name))
    for old, new, renamed in pairs:
        kinds = column_alterations(old, new)
        if renamed:
            yield c.RenameColumn(live, desired, old, new)
        elif kinds:
            yield c.AlterColumn(live, desired, old, new, kinds)
    reverse = {old: new for new, old in renames.items()}
    for column in dropped:
        yield c.DropColumn(live, desired, column, looks_like_rename_to=reverse.get(column.name))


def _rename_suggestions(added: list[Column], dropped: list[Column]) -> dict[str, str]:
    """Added column name -> dropped column name, for pairs of the same type."""
    suggestions: dict[str, str] = {}
    taken: set[str] = set()
    for new in added:
        candidate = next((old for old in dropped if old.type == new.type and old.name not in taken), None)
        if candidate is not None:
            suggestions[new.name] = candidate.name
            taken.add(candidate.name)
    return suggestions


def _definition(constraint: Constraint) -> Constraint:
    return _without(constraint, name="", comment=None)


def _constraints(live: Table, desired: Table, table_renames: dict[QualifiedName, QualifiedName]) -> Iterable[c.Change]:
    renamed_columns = _column_renames(live, desired)
    current = {k.name: k for k in live.constraints()}
    wanted = {k.name: k for k in desired.constraints()}
    pairs, added, dropped = match(current, wanted, lambda k: k.renamed_from)
    for constraint in added:
        yield c.AddConstraint(live, desired, constraint)
    for old, new, renamed in pairs:
        comparable_old = _translate(old, renamed_columns)
        if isinstance(comparable_old, ForeignKey) and comparable_old.references in table_renames:
            comparable_old = _without(comparable_old, references=table_renames[comparable_old.references])
        new = _accept_validated(comparable_old, new)
        if renamed:
            yield c.RenameConstraint(live, desired, old, new)
        if _definition(comparable_old) == _definition(new):
            if old.comment != new.comment:
                yield c.AlterConstraintComment(live, desired, old, new)
        elif _only_validation_differs(comparable_old, new):
            yield c.ValidateConstraint(live, desired, new)
            if old.comment != new.comment:
                yield c.AlterConstraintComment(live, desired, old, new)
        else:
            yield c.ReplaceConstraint(live, desired, old, new)
    for constraint in dropped:
        yield c.DropConstraint(live, desired, constraint)


def _accept_validated(old: Constraint, new: Constraint) -> Constraint:
    if (
        isinstance(new, CheckConstraint | ForeignKey)
        and isinstance(old, CheckConstraint | ForeignKey)
        and type(old) is type(new)
        and new.not_valid
        and not old.not_valid
    ):
        return _without(new, not_valid=False)
    return new


def _only_validation_differs(old: Constraint, new: Constraint) -> bool:
    if not isinstance(old, CheckConstraint | ForeignKey) or not isinstance(new, CheckConstraint | ForeignKey):
        return False
    if type(old) is not type(new):
        return False
    return old.not_valid and not new.not_valid and _definition(_without(old, not_valid=False)) == _definition(new)


def _column_renames(live: Table, desired: Table) -> dict[str, str]:
    """Old column name -> new name, for columns renamed by hint (so that a constraint or index
    over a renamed column is not mistaken for a different definition)."""
    names = {col.name for col in live.columns}
    wanted = {col.name for col in desired.columns}
    return {
        col.renamed_from: col.name
        for col in desired.columns
        if col.renamed_from and col.renamed_from in names and col.name not in names and col.renamed_from not in wanted
    }


def _translate(obj: T, renames: dict[str, str]) -> T:
    """`obj` with its column references renamed (constraints and indexes, plain columns only)."""
    if not renames:
        return obj
    updates: dict[str, object] = {}
    for field in ("columns", "include", "on_delete_set_columns"):
        value = getattr(obj, field, None)
        if isinstance(value, tuple) and value and isinstance(value[0], str):
            updates[field] = tuple(renames.get(name, name) for name in value)
    if isinstance(obj, Index):
        updates["elements"] = tuple(
            _without(e, column=renames.get(e.column, e.column)) if e.column else e for e in obj.elements
        )
        updates["include"] = tuple(renames.get(name, name) for name in obj.include)
    return _without(obj, **updates) if updates else obj


def _index_definition(index: Index) -> Index:
    return _without(index, name="", comment=None)


def _indexes(live: Table, desired: Table) -> Iterable[c.Change]:
    renamed_columns = _column_renames(live, desired)
    pairs, added, dropped = match(
        {i.name: i for i in live.indexes}, {i.name: i for i in desired.indexes}, lambda i: i.renamed_from
    )
    for index in added:
        yield c.AddIndex(live, desired, index)
    for old, new, renamed in pairs:
        comparable_old = _translate(old, renamed_columns)
        if _index_definition(comparable_old) != _index_definition(new):
            yield c.ReplaceIndex(live, desired, old, new)
        elif renamed:
            yield c.RenameIndex(live, desired, old, new)
        if old.comment != new.comment and _index_definition(comparable_old) == _index_definition(new):
            yield c.AlterIndexComment(live, desired, old, new)
    for index in dropped:
        yield c.DropIndex(live, desired, index)


def live_name(change: c.Change) -> QualifiedName | None:
    """The table a table-scoped change touches, by its name before any rename."""
    if isinstance(change, c.TableChange):
        return change.live.qname
    return None

"""The data dictionary: a catalog written as a `Document` (see `document`).

Stage: report. Per schema: its tables (columns with types, nullability, defaults and comments;
keys, checks, foreign keys both ways, indexes, triggers, row-level security and policies,
grants, partitions, row estimates when a database was read), then views, types, sequences and
routines. Everything is in the catalog's sorted order, so the same catalog gives the same
document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reconciler.model import (
    Catalog,
    CheckConstraint,
    Column,
    ForeignKey,
    Function,
    Index,
    ObjectGrants,
    QualifiedName,
    Table,
    UniqueConstraint,
)
from reconciler.model.partitions import PartitionBy
from reconciler.report.schemadoc.document import (
    Block,
    Cell,
    Code,
    CodeBlock,
    Comment,
    DiagramSlot,
    Document,
    Entry,
    Grid,
    Heading,
    Inline,
    Labelled,
    Link,
    NavGroup,
    Paragraph,
    Section,
    Text,
)
from reconciler.report.schemadoc.graph import Diagram, qualified_schema
from reconciler.report.schemadoc.text import anchor, qualified


@dataclass(frozen=True)
class TableSize:
    """The planner's estimates for a table, read from a live database (pg_class)."""

    rows: int | None  # None: never analyzed (reltuples -1)
    bytes: int = 0


@dataclass(frozen=True)
class _Index:
    """Lookups the dictionary makes for every table, computed once per catalog."""

    catalog: Catalog
    incoming: dict[QualifiedName, list[tuple[Table, ForeignKey]]]  # referenced table -> (child, key)
    children: dict[QualifiedName, list[Table]]  # partitioned table -> its partitions
    grants: dict[tuple[str, str, str, str | None], ObjectGrants]  # (kind, schema, name, arguments)
    types: dict[QualifiedName, str]  # enums, domains and composite types: their section's anchor

    @staticmethod
    def of(catalog: Catalog) -> _Index:
        incoming: dict[QualifiedName, list[tuple[Table, ForeignKey]]] = {}
        children: dict[QualifiedName, list[Table]] = {}
        for table in catalog.tables:
            if table.partition_of is not None:
                children.setdefault(table.partition_of.parent, []).append(table)
                continue  # a partition's keys are its parent's
            for fk in table.foreign_keys:
                incoming.setdefault(fk.references, []).append((table, fk))
        grants: dict[tuple[str, str, str, str | None], ObjectGrants] = {
            (g.target.kind, g.target.schema, g.target.name, g.target.arguments): g for g in catalog.grants
        }
        types = {t.qname: anchor("enum", t.schema, t.name) for t in catalog.enums}
        types.update({t.qname: anchor("domain", t.schema, t.name) for t in catalog.domains})
        types.update({t.qname: anchor("composite-type", t.schema, t.name) for t in catalog.composite_types})
        return _Index(catalog, incoming, children, grants, types)

    def type_anchor(self, schema: str, type_name: str) -> str | None:
        """The section of a column's type when it is one of the catalog's own types, resolved
        like the loader does: the table's schema first, then public (or schema-qualified)."""
        candidates = [QualifiedName(schema, type_name), QualifiedName("public", type_name)]
        if type_name.count(".") == 1:
            candidates.insert(0, QualifiedName(*type_name.split(".")))
        return next((self.types[q] for q in candidates if q in self.types), None)


def table_anchor(qname: QualifiedName) -> str:
    return anchor("t", qname.schema, qname.name)


def schema_anchor(schema: str) -> str:
    return anchor("s", schema)


def build(
    catalog: Catalog,
    *,
    title: str,
    subtitle: str,
    diagrams: list[Diagram],
    sizes: Mapping[QualifiedName, TableSize] | None = None,
    only: Iterable[QualifiedName] | None = None,
) -> Document:
    """The whole dictionary. `only` (a focused diagram's tables) leaves out every other table
    and the schemas' other objects."""
    chosen = set(only) if only is not None else None
    doc = Document(title=title, subtitle=subtitle)
    ix = _Index.of(catalog)
    doc.sections.append(_overview(catalog, diagrams, sizes, chosen))
    for schema in sorted(catalog.schema_names()):
        _schema(doc, ix, schema, sizes, chosen)
    return doc


def _overview(
    catalog: Catalog,
    diagrams: list[Diagram],
    sizes: Mapping[QualifiedName, TableSize] | None,
    chosen: set[QualifiedName] | None,
) -> Section:
    tables = [t for t in catalog.tables if t.partition_of is None and (chosen is None or t.qname in chosen)]
    partitions = sum(
        1 for t in catalog.tables if t.partition_of is not None and (chosen is None or t.partition_of.parent in chosen)
    )
    counts = [f"{len(tables)} table{'s' if len(tables) != 1 else ''}"]
    if partitions:
        counts.append(f"{partitions} partition{'s' if partitions != 1 else ''}")
    counts.append(f"{sum(len(t.columns) for t in tables)} columns")
    counts.append(f"{sum(len(t.foreign_keys) for t in tables)} foreign keys")
    if chosen is None:
        for label, group in (
            ("views", catalog.views),
            ("materialized views", catalog.materialized_views),
            ("routines", catalog.functions),
            ("enums", catalog.enums),
            ("domains", catalog.domains),
        ):
            if group:
                counts.append(f"{len(group)} {label if len(group) != 1 else label[:-1]}")
    blocks: list[Block] = [Paragraph((Text(", ".join(counts) + "."),))]
    if sizes is not None:
        blocks.append(
            Paragraph(
                (Text("Row counts are the planner's estimates (pg_class.reltuples) when the database was read."),)
            )
        )
    for number, diagram in enumerate(diagrams):
        blocks.append(DiagramSlot(number, diagram.title))
    return Section(tuple(blocks), anchor="overview")


def _schema(
    doc: Document,
    ix: _Index,
    schema: str,
    sizes: Mapping[QualifiedName, TableSize] | None,
    chosen: set[QualifiedName] | None,
) -> None:
    tables = [
        t
        for t in ix.catalog.tables
        if t.schema == schema and t.partition_of is None and (chosen is None or t.qname in chosen)
    ]
    if chosen is not None and not tables:
        return
    declared = next((s for s in ix.catalog.schemas if s.name == schema), None)
    head: list[Block] = [Heading(2, (Text("Schema "), Code(schema)), schema_anchor(schema))]
    if declared is not None and declared.comment:
        head.append(Paragraph((Comment(declared.comment),)))
    grants = _grants_of(ix, "schema", schema, schema)
    if grants:
        head.append(Labelled("Privileges", _privileges_cell(grants)))
    doc.sections.append(Section(tuple(head)))
    entries = []
    for table in tables:
        doc.sections.append(Section(tuple(_table(ix, table, sizes)), anchor=table_anchor(table.qname)))
        words = [table.schema, table.name, table.comment or "", *(c.name for c in table.columns)]
        entries.append(Entry(table.name, table_anchor(table.qname), " ".join(words).lower()))
    if chosen is None:
        entries += _other_objects(doc, ix, schema)
    doc.nav.append(NavGroup(schema, schema_anchor(schema), tuple(entries)))


# --- tables ----------------------------------------------------------------------------------


def _table(ix: _Index, table: Table, sizes: Mapping[QualifiedName, TableSize] | None) -> list[Block]:
    kind = "Partitioned table " if table.partition_by is not None else "Table "
    blocks: list[Block] = [Heading(3, (Text(kind), Code(qualified(table.qname))), table_anchor(table.qname))]
    if table.comment:
        blocks.append(Paragraph((Comment(table.comment),)))
    if sizes is not None:
        blocks.append(Labelled("Rows", (Text(_size_text(ix, table, sizes)),)))
    blocks.append(
        Grid(
            ("column", "type", "nullable", "default", "key", "comment"),
            tuple(_column_row(ix, table, c) for c in table.columns),
        )
    )
    if table.primary_key is not None:
        pk = table.primary_key
        blocks.append(Labelled("Primary key", (Code(_columns(pk.columns)), Text(" "), *_named(pk.name, pk.comment))))
    if table.uniques:
        blocks.append(Labelled("Unique", ()))
        blocks.append(Grid(("name", "columns", "notes"), tuple(_unique_row(u) for u in table.uniques)))
    if table.checks:
        blocks.append(Labelled("Checks", ()))
        blocks.append(Grid(("name", "expression", "notes"), tuple(_check_row(c) for c in table.checks)))
    if table.foreign_keys:
        blocks.append(Labelled("References", ()))
        blocks.append(
            Grid(
                ("name", "columns", "references", "on delete", "on update", "notes"),
                tuple(_fk_row(ix, fk) for fk in table.foreign_keys),
            )
        )
    incoming = _referenced_by(ix, table)
    if incoming:
        blocks.append(Labelled("Referenced by", ()))
        blocks.append(Grid(("table", "name", "columns", "on delete"), tuple(incoming)))
    if table.indexes:
        blocks.append(Labelled("Indexes", ()))
        blocks.append(Grid(("name", "definition", "comment"), tuple(_index_row(i) for i in table.indexes)))
    if table.triggers:
        blocks.append(Labelled("Triggers", ()))
        rows = []
        for trigger in table.triggers:
            when = f"{trigger.timing} {' or '.join(trigger.events)}"
            if trigger.update_columns:
                when += f" of {', '.join(trigger.update_columns)}"
            when += f", for each {trigger.for_each}" + (
                "" if trigger.enabled == "origin" else f", enabled: {trigger.enabled}"
            )
            condition: Cell = (Code(trigger.when),) if trigger.when else ()
            call = qualified(trigger.function) + "(" + ", ".join(trigger.arguments) + ")"
            rows.append(((Code(trigger.name),), (Text(when),), (Code(call),), condition, _comment(trigger.comment)))
        blocks.append(Grid(("name", "fires", "calls", "when", "comment"), tuple(rows)))
    blocks += _security(table)
    grants = _grants_of(ix, "table", table.schema, table.name)
    if grants:
        blocks.append(Labelled("Privileges", _privileges_cell(grants)))
    if table.partition_by is not None:
        blocks += _partitions(ix, table, sizes)
    return blocks


def _column_row(ix: _Index, table: Table, column: Column) -> tuple[Cell, ...]:
    type_text = column.type + (f" COLLATE {column.collation}" if column.collation else "")
    if column.identity is not None:
        default: Cell = (Text(f"identity ({column.identity.generation})"),)
    elif column.generated is not None:
        default = (Text(f"generated ({column.generated.kind}): "), Code(column.generated.expression))
    elif column.default is not None:
        default = (Code(column.default),)
    else:
        default = ()
    type_anchor = ix.type_anchor(table.schema, column.type)
    return (
        (Code(column.name),),
        (Link(Code(type_text), type_anchor),) if type_anchor else (Code(type_text),),
        (Text("yes" if column.nullable else "no"),),
        default,
        _keys_cell(ix, table, column.name),
        _comment(column.comment),
    )


def _keys_cell(ix: _Index, table: Table, column: str) -> Cell:
    parts: list[Cell] = []
    if table.primary_key is not None and column in table.primary_key.columns:
        parts.append((Text("PK"),))
    if any(u.columns == (column,) for u in table.uniques) or any(
        i.unique and i.where is None and [e.column for e in i.elements] == [column] for i in table.indexes
    ):
        parts.append((Text("unique"),))
    for fk in table.foreign_keys:
        if column in fk.columns:
            target = (
                fk.referenced_columns[fk.columns.index(column)] if len(fk.referenced_columns) == len(fk.columns) else ""
            )
            parts.append((Text("FK → "), _table_link(ix, fk.references, suffix=f".{target}" if target else "")))
    out: list[Inline] = []
    for number, part in enumerate(parts):
        if number:
            out.append(Text(", "))
        out.extend(part)
    return tuple(out)


def _unique_row(unique: UniqueConstraint) -> tuple[Cell, ...]:
    notes = []
    if unique.include:
        notes.append(f"include {_columns(unique.include)}")
    if unique.nulls_not_distinct:
        notes.append("nulls not distinct")
    notes += _deferrable(unique.deferrable, unique.initially_deferred)
    return ((Code(unique.name),), (Code(_columns(unique.columns)),), _notes(notes, unique.comment))


def _check_row(check: CheckConstraint) -> tuple[Cell, ...]:
    notes = (["not valid (existing rows not checked)"] if check.not_valid else []) + (
        ["no inherit"] if check.no_inherit else []
    )
    return ((Code(check.name),), (Code(check.expression),), _notes(notes, check.comment))


def _fk_row(ix: _Index, fk: ForeignKey) -> tuple[Cell, ...]:
    notes = _deferrable(fk.deferrable, fk.initially_deferred)
    if fk.match != "simple":
        notes.append(f"match {fk.match}")
    if fk.not_valid:
        notes.append("not valid (existing rows not checked)")
    on_delete = fk.on_delete + (f" {_columns(fk.on_delete_set_columns)}" if fk.on_delete_set_columns else "")
    target = (_table_link(ix, fk.references), Text(" "), Code(_columns(fk.referenced_columns)))
    return (
        (Code(fk.name),),
        (Code(_columns(fk.columns)),),
        target,
        (Text(on_delete),),
        (Text(fk.on_update),),
        _notes(notes, fk.comment),
    )


def _referenced_by(ix: _Index, table: Table) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for other, fk in ix.incoming.get(table.qname, []):
        columns = f"{_columns(fk.columns)} → {_columns(fk.referenced_columns)}"
        rows.append(((_table_link(ix, other.qname),), (Code(fk.name),), (Code(columns),), (Text(fk.on_delete),)))
    return rows


def index_definition(index: Index) -> str:
    """`unique btree (a, b DESC) INCLUDE (c) WHERE ...`, as a reader would write it."""
    keys = []
    for element in index.elements:
        key = element.column if element.column is not None else f"({element.expression})"
        if element.collation:
            key += f" COLLATE {element.collation}"
        if element.opclass:
            key += f" {element.opclass}"
        if element.order == "desc":
            key += " DESC"
        if element.nulls is not None and element.nulls != ("first" if element.order == "desc" else "last"):
            key += f" NULLS {element.nulls.upper()}"
        keys.append(key)
    text = ("unique " if index.unique else "") + f"{index.method} ({', '.join(keys)})"
    if index.include:
        text += f" INCLUDE ({', '.join(index.include)})"
    if index.nulls_not_distinct:
        text += " NULLS NOT DISTINCT"
    if index.where:
        text += f" WHERE {index.where}"
    return text


def _index_row(index: Index) -> tuple[Cell, ...]:
    return ((Code(index.name),), (Code(index_definition(index)),), _comment(index.comment))


def _security(table: Table) -> list[Block]:
    rls = table.row_level_security
    if not rls.enabled and not table.policies:
        return []
    state = "enabled" if rls.enabled else "disabled (policies are not applied)"
    if rls.forced:
        state += ", forced on the owner too"
    blocks: list[Block] = [Labelled("Row-level security", (Text(state),))]
    if table.policies:
        rows = []
        for policy in table.policies:
            rows.append(
                (
                    (Code(policy.name),),
                    (Text(policy.command),),
                    (Text("permissive" if policy.permissive else "restrictive"),),
                    (Code(", ".join(policy.roles)),),
                    (Code(policy.using),) if policy.using else (),
                    (Code(policy.with_check),) if policy.with_check else (),
                )
            )
        blocks.append(Grid(("policy", "command", "kind", "roles", "using", "with check"), tuple(rows)))
    return blocks


def _partitions(ix: _Index, table: Table, sizes: Mapping[QualifiedName, TableSize] | None) -> list[Block]:
    assert table.partition_by is not None
    blocks: list[Block] = [Labelled("Partitioned by", (Code(partition_key(table.partition_by)),))]
    rows = []
    descendants = _descendants(ix, table.qname)
    nested = any(parent != table.qname for _, parent in descendants)  # sub-partitions: say whose
    for child, parent in descendants:
        assert child.partition_of is not None
        row: tuple[Cell, ...] = ((Code(qualified(child.qname)),), (Code(str(child.partition_of.bound)),))
        if nested:
            row += ((Code(qualified(parent)),),)
        if sizes is not None:
            row += ((Text(_rows_text(sizes.get(child.qname))),),)
        rows.append(row)
    if rows:
        header = ("partition", "bounds") + (("of",) if nested else ()) + (("rows",) if sizes is not None else ())
        blocks.append(Grid(header, tuple(rows)))
    else:
        blocks.append(Paragraph((Text("No partitions yet: rows cannot be inserted until one exists."),)))
    return blocks


def partition_key(by: PartitionBy) -> str:
    return f"{by.strategy} ({', '.join(k.label for k in by.keys)})"


def _descendants(ix: _Index, parent: QualifiedName) -> list[tuple[Table, QualifiedName]]:
    """Partitions of `parent` and theirs (sub-partitions), breadth first, with their parent."""
    out: list[tuple[Table, QualifiedName]] = []
    seen = {parent}
    queue = [parent]
    while queue:
        current = queue.pop(0)
        for table in ix.children.get(current, []):
            if table.qname not in seen:
                seen.add(table.qname)
                out.append((table, current))
                queue.append(table.qname)
    return out


def _size_text(ix: _Index, table: Table, sizes: Mapping[QualifiedName, TableSize]) -> str:
    if table.partition_by is None:
        return _rows_text(sizes.get(table.qname))
    parts = [sizes.get(child.qname) for child, _ in _descendants(ix, table.qname) if child.partition_by is None]
    known = [p for p in parts if p is not None and p.rows is not None]
    if not parts:
        return "none (no partitions)"
    if not known:
        return "unknown (no partition analyzed)"
    total = TableSize(rows=sum(p.rows or 0 for p in known), bytes=sum(p.bytes for p in known))
    note = "" if len(known) == len(parts) else f" ({len(parts) - len(known)} partition(s) never analyzed)"
    return _rows_text(total) + " in its partitions" + note


def _rows_text(size: TableSize | None) -> str:
    if size is None:
        return "unknown"
    if size.rows is None:
        return "unknown (never analyzed)"
    return f"≈ {size.rows:,}, {_bytes(size.bytes)}"


def _bytes(count: int) -> str:
    value = float(count)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


# --- other objects ---------------------------------------------------------------------------


def _other_objects(doc: Document, ix: _Index, schema: str) -> list[Entry]:
    entries: list[Entry] = []

    def add(kind: str, name: str, blocks: list[Block], search: str = "") -> None:
        target = anchor(kind.replace(" ", "-"), schema, name)
        heading = Heading(3, (Text(kind.capitalize() + " "), Code(qualified(QualifiedName(schema, name)))), target)
        doc.sections.append(Section((heading, *blocks), anchor=target))
        entries.append(Entry(name, target, f"{schema} {name} {search}".lower(), kind=kind))

    for view in (v for v in ix.catalog.views if v.schema == schema):
        blocks: list[Block] = [Paragraph((Comment(view.comment),))] if view.comment else []
        if view.columns:
            blocks.append(Labelled("Columns", (Code(", ".join(view.columns)),)))
        blocks += _object_privileges(ix, "view", schema, view.name)
        blocks.append(CodeBlock(view.query, summary="query"))
        add("view", view.name, blocks, view.comment or "")
    for matview in (v for v in ix.catalog.materialized_views if v.schema == schema):
        blocks = [Paragraph((Comment(matview.comment),))] if matview.comment else []
        if matview.indexes:
            blocks.append(Grid(("index", "definition", "comment"), tuple(_index_row(i) for i in matview.indexes)))
        blocks += _object_privileges(ix, "materialized view", schema, matview.name)
        blocks.append(CodeBlock(matview.query, summary="query"))
        add("materialized view", matview.name, blocks, matview.comment or "")
    for enum in (e for e in ix.catalog.enums if e.schema == schema):
        blocks = [Paragraph((Comment(enum.comment),))] if enum.comment else []
        blocks.append(Labelled("Values", _joined(Code(v) for v in enum.values)))
        add("enum", enum.name, blocks, enum.comment or "")
    for domain in (d for d in ix.catalog.domains if d.schema == schema):
        blocks = [Paragraph((Comment(domain.comment),))] if domain.comment else []
        spelled = (
            domain.type
            + ("" if domain.nullable else " NOT NULL")
            + (f" DEFAULT {domain.default}" if domain.default else "")
        )
        blocks.append(Labelled("Type", (Code(spelled),)))
        if domain.checks:
            blocks.append(
                Grid(("check", "expression"), tuple(((Code(c.name),), (Code(c.expression),)) for c in domain.checks))
            )
        add("domain", domain.name, blocks, domain.comment or "")
    for composite in (t for t in ix.catalog.composite_types if t.schema == schema):
        blocks = [Paragraph((Comment(composite.comment),))] if composite.comment else []
        blocks.append(
            Grid(("attribute", "type"), tuple(((Code(a.name),), (Code(a.type),)) for a in composite.attributes))
        )
        add("composite type", composite.name, blocks, composite.comment or "")
    for sequence in (s for s in ix.catalog.sequences if s.schema == schema):
        blocks = [Paragraph((Comment(sequence.comment),))] if sequence.comment else []
        options = sequence.options
        facts = [sequence.type] + [
            f"{label} {value}"
            for label, value in (("start", options.start), ("increment", options.increment), ("cache", options.cache))
            if value is not None
        ]
        if options.cycle:
            facts.append("cycle")
        blocks.append(Labelled("Options", (Text(", ".join(facts)),)))
        if sequence.owned_by is not None:
            owner, column = sequence.owned_by
            blocks.append(Labelled("Owned by", (_table_link(ix, owner, suffix=f".{column}"),)))
        blocks += _object_privileges(ix, "sequence", schema, sequence.name)
        add("sequence", sequence.name, blocks, sequence.comment or "")
    for routine in (f for f in ix.catalog.functions if f.schema == schema):
        signature = f"{routine.name}({', '.join(routine.identity_types)})"
        add(routine.kind, signature, _routine(ix, routine), routine.comment or "")
    return entries


def _routine(ix: _Index, routine: Function) -> list[Block]:
    blocks: list[Block] = [Paragraph((Comment(routine.comment),))] if routine.comment else []
    arguments = []
    for argument in routine.arguments:
        text = " ".join(
            p for p in ("" if argument.mode == "in" else argument.mode, argument.name or "", argument.type) if p
        )
        arguments.append(text + (f" DEFAULT {argument.default}" if argument.default else ""))
    blocks.append(Labelled("Arguments", (Code(", ".join(arguments)),) if arguments else (Text("none"),)))
    if routine.kind == "function":
        if routine.table:
            returns = "TABLE (" + ", ".join(f"{c.name} {c.type}" for c in routine.table) + ")"
        else:
            returns = ("SETOF " if routine.setof else "") + (routine.returns or "void")
        blocks.append(Labelled("Returns", (Code(returns),)))
    traits = [routine.language, routine.volatility] + (["strict"] if routine.strict else [])
    traits += ["security definer"] if routine.security_definer else []
    blocks.append(Labelled("Traits", (Text(", ".join(traits)),)))
    arguments_text = ", ".join(routine.identity_types)
    blocks += _object_privileges(ix, routine.kind, routine.schema, routine.name, arguments_text)
    return blocks


# --- shared helpers --------------------------------------------------------------------------


def _grants_of(ix: _Index, kind: str, schema: str, name: str, arguments: str | None = None) -> ObjectGrants | None:
    return ix.grants.get((kind, schema, name, arguments))


def _object_privileges(ix: _Index, kind: str, schema: str, name: str, arguments: str | None = None) -> list[Block]:
    grants = _grants_of(ix, kind, schema, name, arguments)
    return [Labelled("Privileges", _privileges_cell(grants))] if grants else []


def _privileges_cell(grants: ObjectGrants) -> Cell:
    """`alice: SELECT, UPDATE (email); public: SELECT`: per grantee, table-wide privileges first."""
    by_grantee: dict[str, list[str]] = {}
    for privilege in grants.privileges:
        text = privilege.privilege + (f" ({privilege.column})" if privilege.column else "")
        if privilege.grantable:
            text += " with grant option"
        by_grantee.setdefault(privilege.grantee, []).append(text)
    if not by_grantee:
        return (Text("none granted"),)
    out: list[Inline] = []
    for number, (grantee, privileges) in enumerate(sorted(by_grantee.items())):
        if number:
            out.append(Text("; "))
        out += [Code(grantee), Text(": " + ", ".join(privileges))]
    return tuple(out)


def _table_link(ix: _Index, qname: QualifiedName, *, suffix: str = "") -> Link | Code:
    label = Code(qualified(qname) + suffix)
    table = ix.catalog.table(qname)
    if table is None:
        return label  # outside the documented catalog
    target = table.partition_of.parent if table.partition_of is not None else qname
    return Link(label, table_anchor(target))


def _columns(names: tuple[str, ...]) -> str:
    return "(" + ", ".join(names) + ")"


def _named(name: str, comment: str | None) -> Cell:
    return (Text("named "), Code(name), *((Text(": "), Comment(comment)) if comment else ()))


def _comment(comment: str | None) -> Cell:
    return (Comment(comment),) if comment else ()


def _notes(notes: list[str], comment: str | None) -> Cell:
    cell: list[Inline] = [Text("; ".join(notes))] if notes else []
    if comment:
        cell += [Text("; ")] if notes else []
        cell.append(Comment(comment))
    return tuple(cell)


def _deferrable(deferrable: bool, initially_deferred: bool) -> list[str]:
    if not deferrable:
        return []
    return ["deferrable, initially deferred" if initially_deferred else "deferrable"]


def _joined(items: Iterable[Code]) -> Cell:
    out: list[Inline] = []
    for number, item in enumerate(items):
        if number:
            out.append(Text(", "))
        out.append(item)
    return tuple(out)


__all__ = [
    "TableSize",
    "build",
    "index_definition",
    "partition_key",
    "qualified_schema",
    "schema_anchor",
    "table_anchor",
]

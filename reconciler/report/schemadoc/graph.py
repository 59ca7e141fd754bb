"""The relation graph of a catalog: which tables a diagram shows, and the foreign keys between them.

Stage: report. Partitions are left out of diagrams (they have their parent's columns, and a
table split in twelve months would fill a diagram with copies); their parent stands for them.
A large catalog is split into several diagrams: per schema, and a schema that is still too
large into parts made of whole connected groups of tables (tables linked by foreign keys, in
either direction), so that no foreign key inside the schema crosses from one part to another.
`--focus` replaces all that with the tables within `depth` foreign-key hops of one table.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from reconciler.errors import InputError
from reconciler.model import Catalog, ForeignKey, QualifiedName, Table
from reconciler.report.schemadoc.text import qualified

DIAGRAM_LIMIT = 30  # tables per diagram before a catalog is split


@dataclass(frozen=True)
class Relation:
    """A foreign key of `child` referencing `parent` (which may be the same table)."""

    child: QualifiedName
    parent: QualifiedName
    key: ForeignKey


@dataclass(frozen=True)
class Diagram:
    """One diagram: the tables it draws in full, and tables outside it that its foreign keys
    reach (drawn as a name only, so a relation never points nowhere)."""

    title: str
    tables: tuple[QualifiedName, ...]
    stubs: tuple[QualifiedName, ...]
    relations: tuple[Relation, ...]


def diagram_tables(catalog: Catalog) -> list[Table]:
    """Tables a diagram may show: every table but partitions, in the catalog's order."""
    return [t for t in catalog.tables if t.partition_of is None]


def relations(catalog: Catalog) -> list[Relation]:
    """Every foreign key between tables of the catalog, by child, then key name. A key of a
    partition is its parent's, so partitions are skipped; a key referencing a partition is
    drawn to the partitioned table."""
    shown = {t.qname for t in diagram_tables(catalog)}
    out = []
    for table in diagram_tables(catalog):
        for fk in table.foreign_keys:
            parent = _drawn_as(catalog, fk.references)
            if parent in shown:
                out.append(Relation(table.qname, parent, fk))
    return out


def _drawn_as(catalog: Catalog, qname: QualifiedName) -> QualifiedName:
    seen = set()
    table = catalog.table(qname)
    while table is not None and table.partition_of is not None and table.qname not in seen:
        seen.add(table.qname)
        qname = table.partition_of.parent
        table = catalog.table(qname)
    return qname


def diagrams(catalog: Catalog, *, limit: int = DIAGRAM_LIMIT) -> list[Diagram]:
    """The diagrams of a whole catalog: one when it is small, else split (see module doc)."""
    tables = [t.qname for t in diagram_tables(catalog)]
    if not tables:
        return []
    links = relations(catalog)
    if len(tables) <= limit:
        return [_diagram(f"all {len(tables)} tables" if len(tables) != 1 else "the table", tables, links)]
    out = []
    for schema in sorted({q.schema for q in tables}):
        members = [q for q in tables if q.schema == schema]
        if len(members) <= limit:
            out.append(_diagram(f"schema {qualified_schema(schema)}", members, links))
            continue
        for number, part in enumerate(_packed(_connected(members, links), limit), 1):
            out.append(_diagram(f"schema {qualified_schema(schema)}, part {number}", part, links))
    return out


def qualified_schema(schema: str) -> str:
    return qualified(QualifiedName(schema, "x"))[: -len(".x")]


def focused(catalog: Catalog, focus: QualifiedName, depth: int) -> Diagram:
    """The tables within `depth` foreign-key hops of `focus` (both directions)."""
    links = relations(catalog)
    neighbours: dict[QualifiedName, set[QualifiedName]] = {}
    for rel in links:
        neighbours.setdefault(rel.child, set()).add(rel.parent)
        neighbours.setdefault(rel.parent, set()).add(rel.child)
    distance = {focus: 0}
    queue = deque([focus])
    while queue:
        current = queue.popleft()
        if distance[current] == depth:
            continue
        for other in sorted(neighbours.get(current, ()), key=_key):
            if other not in distance:
                distance[other] = distance[current] + 1
                queue.append(other)
    members = [t.qname for t in diagram_tables(catalog) if t.qname in distance]
    return _diagram(f"{qualified(focus)} and its neighbours within {depth} foreign key(s)", members, links)


def find_table(catalog: Catalog, name: str) -> QualifiedName:
    """The table `--focus` names: `schema.table`, or a table name unique across schemas."""
    tables = diagram_tables(catalog)
    exact = [t.qname for t in tables if f"{t.schema}.{t.name}" == name or qualified(t.qname) == name]
    if len(exact) == 1:
        return exact[0]
    by_name = [t.qname for t in tables if t.name == name]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        shown = ", ".join(qualified(q) for q in by_name)
        raise InputError(f"--focus {name!r} is ambiguous: it names {shown}; give schema.table")
    if any(t.partition_of is not None and t.name == name for t in catalog.tables):
        raise InputError(f"--focus {name!r} is a partition; focus on its partitioned table")
    raise InputError(f"--focus {name!r}: no such table (give schema.table or a table name)")


def _diagram(title: str, members: list[QualifiedName], links: list[Relation]) -> Diagram:
    inside = set(members)
    shown = [rel for rel in links if rel.child in inside or rel.parent in inside]
    stubs = sorted({q for rel in shown for q in (rel.child, rel.parent) if q not in inside}, key=_key)
    return Diagram(title, tuple(sorted(members, key=_key)), tuple(stubs), tuple(shown))


def _connected(members: list[QualifiedName], links: list[Relation]) -> list[list[QualifiedName]]:
    """Groups of tables linked by foreign keys among `members`, largest first, then by name."""
    parent = {q: q for q in members}

    def root(q: QualifiedName) -> QualifiedName:
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    for rel in links:
        if rel.child in parent and rel.parent in parent:
            a, b = root(rel.child), root(rel.parent)
            if a != b:
                parent[max(a, b, key=_key)] = min(a, b, key=_key)
    groups: dict[QualifiedName, list[QualifiedName]] = {}
    for q in sorted(members, key=_key):
        groups.setdefault(root(q), []).append(q)
    return sorted(groups.values(), key=lambda g: (-len(g), _key(g[0])))


def _packed(groups: list[list[QualifiedName]], limit: int) -> list[list[QualifiedName]]:
    """Connected groups put together into diagrams of at most `limit` tables (first fit, largest
    group first); a group larger than that is a diagram of its own, never cut."""
    parts: list[list[QualifiedName]] = []
    for group in groups:
        target = next((p for p in parts if len(p) + len(group) <= limit), None) if len(group) < limit else None
        if target is None:
            parts.append(list(group))
        else:
            target.extend(group)
    return parts


def _key(q: QualifiedName) -> tuple[str, str]:
    return (q.schema, q.name)

"""Mermaid `erDiagram` text: the diagrams of the `mermaid` and `markdown` formats, and of plans.

Stage: report. GitHub and GitLab draw a fenced ```mermaid block in Markdown. Entities are
quoted `"schema.table"` names; attribute types and names are Mermaid words (letters, digits,
`_-()[]`), so a name Mermaid cannot carry is written as a word and its exact spelling is given
in the attribute's comment. Every string passes through `text.mermaid_string`.

Cardinality follows the foreign key: the parent side is `||` (exactly one) when every key
column is NOT NULL, else `|o`; the child side is `o|` (zero or one) when the key columns are
unique in the child, else `o{`. The line is solid (identifying) when the key columns are part
of the child's primary key, dashed otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.model import Catalog, ForeignKey, QualifiedName, Table
from reconciler.report.schemadoc.graph import Diagram
from reconciler.report.schemadoc.text import mermaid_string, mermaid_word, qualified, short_type, shorten

COMMENT_LIMIT = 60


@dataclass(frozen=True)
class Attribute:
    type: str
    name: str
    keys: tuple[str, ...] = ()  # PK, FK, UK
    comment: str | None = None


@dataclass(frozen=True)
class Entity:
    label: str
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True)
class Line:
    parent: str  # entity labels
    child: str
    parent_end: str  # "||" or "|o"
    child_end: str  # "o{" or "o|"
    identifying: bool
    label: str


def render(entities: list[Entity], lines: list[Line], *, title: str | None = None) -> str:
    out = []
    if title is not None:
        out += ["---", f"title: {mermaid_string(title)}", "---"]
    out.append("erDiagram")
    for entity in entities:
        if not entity.attributes:
            out.append(f"    {mermaid_string(entity.label)} {{")
            out.append("    }")
            continue
        out.append(f"    {mermaid_string(entity.label)} {{")
        for attribute in entity.attributes:
            out.append("        " + _attribute(attribute))
        out.append("    }")
    for line in lines:
        link = "--" if line.identifying else ".."
        right = {"o{": "o{", "o|": "o|"}[line.child_end]
        left = {"||": "||", "|o": "|o"}[line.parent_end]
        out.append(
            f"    {mermaid_string(line.parent)} {left}{link}{right} {mermaid_string(line.child)} : "
            f"{mermaid_string(line.label)}"
        )
    return "\n".join(out) + "\n"


def _attribute(attribute: Attribute) -> str:
    word = mermaid_word(attribute.name)
    notes = []
    if word != attribute.name:
        notes.append(f"name: {attribute.name}")
    if attribute.comment:
        notes.append(attribute.comment)
    text = f"{mermaid_word(short_type(attribute.type))} {word}"
    if attribute.keys:
        text += " " + ",".join(attribute.keys)
    if notes:
        text += " " + mermaid_string(shorten("; ".join(notes), COMMENT_LIMIT))
    return text


# --- a catalog's diagrams --------------------------------------------------------------------


def erdiagram(catalog: Catalog, diagram: Diagram, *, title: str | None = None) -> str:
    """The Mermaid text of one diagram of `catalog` (see `graph.diagrams`)."""
    entities = []
    for qname in diagram.tables:
        table = catalog.table(qname)
        assert table is not None
        entities.append(Entity(qualified(qname), tuple(table_attributes(table))))
    entities += [Entity(qualified(q)) for q in diagram.stubs]
    lines = [relation_line(catalog.table(rel.child), rel.key, rel.parent, rel.key.name) for rel in diagram.relations]
    return render(entities, lines, title=title)


def table_attributes(table: Table) -> list[Attribute]:
    return [Attribute(c.type, c.name, column_keys(table, c.name), c.comment) for c in table.columns]


def column_keys(table: Table, column: str) -> tuple[str, ...]:
    keys = []
    if table.primary_key is not None and column in table.primary_key.columns:
        keys.append("PK")
    if any(column in fk.columns for fk in table.foreign_keys):
        keys.append("FK")
    if any(column in u.columns for u in table.uniques):
        keys.append("UK")
    return tuple(keys)


def relation_line(child: Table | None, key: ForeignKey, parent: QualifiedName, label: str) -> Line:
    """The line of foreign key `key` of `child` to `parent` (entities labelled by qualified name)."""
    assert child is not None
    return Line(
        parent=qualified(parent),
        child=qualified(child.qname),
        parent_end="||" if _all_not_null(child, key.columns) else "|o",
        child_end="o|" if _unique_in(child, key.columns) else "o{",
        identifying=child.primary_key is not None and set(key.columns) <= set(child.primary_key.columns),
        label=label,
    )


def _all_not_null(table: Table, columns: tuple[str, ...]) -> bool:
    found = [table.column(name) for name in columns]
    return all(c is not None and not c.nullable for c in found)


def _unique_in(table: Table, columns: tuple[str, ...]) -> bool:
    wanted = set(columns)
    keys = [u.columns for u in table.uniques] + ([table.primary_key.columns] if table.primary_key else [])
    keys += [tuple(e.column or "" for e in i.elements) for i in table.indexes if i.unique and i.where is None]
    return any(set(k) <= wanted and k for k in keys)

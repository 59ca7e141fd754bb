"""The diagram in review: what a plan changes, as a Mermaid `erDiagram` for the Markdown plan.

Stage: report. Given the live and the desired catalog and the tables a plan's steps touch, it
draws those tables with their columns marked (`+ added`, `- dropped`, `~ ...` changed or
renamed) and, as name-only boxes, their neighbours through foreign keys. Relations are marked
the same way; a dropped relation is also drawn dashed. A touched table that does not change (a
table only locked while a key to it is validated) is drawn as a neighbour.

It needs no plan object, only names: the caller passes the tables of the plan's steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.model import Catalog, Column, ForeignKey, QualifiedName, Table
from reconciler.report.schemadoc.mermaid import Attribute, Entity, Line, column_keys, relation_line, render
from reconciler.report.schemadoc.text import qualified

MAX_TABLES = 25  # touched tables drawn; a plan touching more says how many it left out
MAX_UNCHANGED = 12  # a changed table with more columns shows only changed and key columns


@dataclass(frozen=True)
class _Touched:
    live: Table | None
    desired: Table | None

    @property
    def status(self) -> str:
        if self.live is None:
            return "new"
        if self.desired is None:
            return "dropped"
        if self.live.qname != self.desired.qname:
            return f"renamed from {qualified(self.live.qname)}"
        return "changed"

    @property
    def label(self) -> str:
        table = self.desired or self.live
        assert table is not None
        return f"{qualified(table.qname)} ({self.status})"


def plan_diagram(live: Catalog, desired: Catalog, touched: Iterable[QualifiedName]) -> str | None:
    """Mermaid text of the tables `touched` and their neighbours, or None when no table changes."""
    entries = _touched(live, desired, touched)
    if not entries:
        return None
    shown = entries[:MAX_TABLES]
    labels = _Labels(live, desired, shown)
    entities = [Entity(e.label, tuple(_attributes(e))) for e in shown]
    lines = _relations(live, desired, shown, labels)
    text = render(entities, lines)
    if len(entries) > len(shown):
        text += f"%% {len(entries) - len(shown)} more changed tables are not drawn\n"
    return text


def plan_diagram_markdown(live: Catalog, desired: Catalog, touched: Iterable[QualifiedName]) -> str:
    """A Markdown section with the diagram (empty when no table changes), for the plan comment."""
    text = plan_diagram(live, desired, touched)
    if text is None:
        return ""
    return "\n".join(
        [
            "### Tables this plan changes",
            "",
            "```mermaid",
            text.rstrip("\n"),
            "```",
            "",
            (
                "_Marks: `+` added, `-` dropped (dashed when a relation), `~` changed or renamed. "
                "Boxes without columns are unchanged tables linked by a foreign key._"
            ),
            "",
        ]
    )


def _touched(live: Catalog, desired: Catalog, names: Iterable[QualifiedName]) -> list[_Touched]:
    renamed = {
        t.renamed_from: t
        for t in desired.tables
        if t.renamed_from is not None
        and live.table(t.renamed_from) is not None
        and desired.table(t.renamed_from) is None
    }
    out: dict[tuple[QualifiedName | None, QualifiedName | None], _Touched] = {}
    for name in names:
        wanted = desired.table(name)
        if wanted is not None:
            source = wanted.renamed_from if wanted.renamed_from in renamed else name
            pair = _Touched(live.table(source) if source is not None else None, wanted)
        elif name in renamed:
            pair = _Touched(live.table(name), renamed[name])
        elif live.table(name) is not None:
            pair = _Touched(live.table(name), None)
        else:
            continue  # not a table (a view, a sequence...)
        if pair.live is not None and pair.desired is not None and pair.live == pair.desired:
            continue  # only locked: drawn as a neighbour if a changed relation reaches it
        key = (pair.live.qname if pair.live else None, pair.desired.qname if pair.desired else None)
        out.setdefault(key, pair)
    return sorted(out.values(), key=lambda e: (e.label,))


def _attributes(entry: _Touched) -> list[Attribute]:
    if entry.desired is None:
        assert entry.live is not None
        return [Attribute(c.type, c.name, column_keys(entry.live, c.name)) for c in entry.live.columns]
    if entry.live is None:
        return [Attribute(c.type, c.name, column_keys(entry.desired, c.name)) for c in entry.desired.columns]
    live, desired = entry.live, entry.desired
    rows: list[tuple[Attribute, bool]] = []  # (attribute, changed)
    matched: set[str] = set()
    for column in desired.columns:
        before = _live_column(live, desired, column)
        keys = column_keys(desired, column.name)
        if before is None:
            rows.append((Attribute(column.type, column.name, keys, "+ added"), True))
            continue
        matched.add(before.name)
        notes = _column_changes(before, column)
        rows.append(
            (Attribute(column.type, column.name, keys, "~ " + "; ".join(notes) if notes else None), bool(notes))
        )
    for column in live.columns:
        if column.name not in matched:
            rows.append((Attribute(column.type, column.name, column_keys(live, column.name), "- dropped"), True))
    if len(rows) <= MAX_UNCHANGED:
        return [attribute for attribute, _ in rows]
    kept = [attribute for attribute, changed in rows if changed or attribute.keys]
    hidden = len(rows) - len(kept)
    return kept + ([Attribute("more", "columns", (), f"{hidden} unchanged columns not shown")] if hidden else [])


def _live_column(live: Table, desired: Table, column: Column) -> Column | None:
    if (
        column.renamed_from is not None
        and live.column(column.renamed_from) is not None
        and desired.column(column.renamed_from) is None
    ):
        return live.column(column.renamed_from)
    return live.column(column.name)


def _column_changes(before: Column, after: Column) -> list[str]:
    notes = []
    if before.name != after.name:
        notes.append(f"renamed from {before.name}")
    if before.type != after.type:
        notes.append(f"type {before.type} → {after.type}")
    if before.nullable != after.nullable:
        notes.append("now nullable" if after.nullable else "now NOT NULL")
    if before.default != after.default:
        notes.append("default " + (f"{after.default}" if after.default is not None else "dropped"))
    if before.identity != after.identity:
        notes.append("identity " + (after.identity.generation if after.identity else "dropped"))
    if before.generated != after.generated:
        notes.append("generated " + ("changed" if after.generated else "dropped"))
    if before.collation != after.collation:
        notes.append(f"collation {after.collation or 'default'}")
    if before.comment != after.comment:
        notes.append("comment")
    return notes


class _Labels:
    """Entity labels for tables of either side: a touched table's label carries its status; a
    live neighbour that the desired side renames goes by its desired name."""

    def __init__(self, live: Catalog, desired: Catalog, entries: list[_Touched]) -> None:
        self.by_live = {e.live.qname: e.label for e in entries if e.live is not None}
        self.by_desired = {e.desired.qname: e.label for e in entries if e.desired is not None}
        self.live_to_desired = {
            t.renamed_from: t.qname for t in desired.tables if t.renamed_from is not None and live.table(t.renamed_from)
        }

    def live(self, qname: QualifiedName) -> str:
        if qname in self.by_live:
            return self.by_live[qname]
        return self.desired(self.live_to_desired.get(qname, qname))

    def desired(self, qname: QualifiedName) -> str:
        return self.by_desired.get(qname, qualified(qname))

    def is_touched(self, label: str) -> bool:
        return label in self.by_live.values() or label in self.by_desired.values()


def _relations(live: Catalog, desired: Catalog, entries: list[_Touched], labels: _Labels) -> list[Line]:
    before: dict[tuple[str, str], tuple[Table, ForeignKey, str]] = {}  # (child label, key name) -> ...
    after: dict[tuple[str, str], tuple[Table, ForeignKey, str]] = {}
    for table in live.tables:
        for fk in table.foreign_keys:
            child, parent = labels.live(table.qname), labels.live(fk.references)
            if labels.is_touched(child) or labels.is_touched(parent):
                before[(child, fk.name)] = (table, fk, parent)
    for table in desired.tables:
        for fk in table.foreign_keys:
            child, parent = labels.desired(table.qname), labels.desired(fk.references)
            if labels.is_touched(child) or labels.is_touched(parent):
                after[(child, fk.name)] = (table, fk, parent)
    lines = []
    for child, name in sorted(set(before) | set(after)):
        old, new = before.get((child, name)), after.get((child, name))
        if new is not None:
            table, fk, parent = new
            if old is None:
                label = f"+ {name}"
            elif _same_key(old[1], fk, old[2], parent):
                label = name
            else:
                label = f"~ {name}"
            line = relation_line(table, fk, QualifiedName("", ""), label)
        else:
            assert old is not None
            table, fk, parent = old
            line = relation_line(table, fk, QualifiedName("", ""), f"- {name} (dropped)")
            line = Line(line.parent, line.child, line.parent_end, line.child_end, False, line.label)
        lines.append(Line(parent, child, line.parent_end, line.child_end, line.identifying, line.label))
    return lines


def _same_key(old: ForeignKey, new: ForeignKey, old_parent: str, new_parent: str) -> bool:
    compared = ("columns", "referenced_columns", "on_delete", "on_update", "match", "deferrable", "initially_deferred")
    return (
        old_parent == new_parent
        and all(getattr(old, f) == getattr(new, f) for f in compared)
        and old.not_valid == new.not_valid
    )

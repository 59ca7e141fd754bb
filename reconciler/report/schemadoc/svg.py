"""An ER diagram drawn as SVG at build time: no JavaScript, no network, the same bytes each time.

Stage: report. One box per table (its name, then a row per column: key, name, type), a
name-only dashed box per table outside the diagram that a foreign key reaches, and one line per
foreign key in crow's foot notation, parent end (one) at the referenced table, child end
(many, or at most one when the key columns are unique) at the referencing one. Text is in a
monospace font so that box widths computed here fit the text the browser draws.

Every box is a `<g class="entity" data-table="schema.table">` inside a link to the table's
section of the dictionary; every line a `<g class="relation" data-key="name">`.
"""

from __future__ import annotations

import math

from reconciler.model import Catalog, QualifiedName, Table
from reconciler.report.schemadoc.dictionary import table_anchor
from reconciler.report.schemadoc.graph import Diagram
from reconciler.report.schemadoc.layout import Placed, Point, layout
from reconciler.report.schemadoc.mermaid import Line, column_keys, relation_line
from reconciler.report.schemadoc.text import display_width, h, qualified, short_type, shorten

FONT_SIZE = 12
CHAR_WIDTH = 7.3  # a 12px monospace glyph is 7.2px wide (0.6 em); a little room to spare
ROW_HEIGHT = 18
HEADER_HEIGHT = 24
PAD = 8
COLUMN_GAP = 12
MAX_ROWS = 30  # columns drawn per box; the rest are counted in a last row
MAX_TEXT = 32  # characters of a name or type drawn; the full text is in the tooltip
STYLE = (
    ".erd{font-family:'DejaVu Sans Mono','Liberation Mono',Menlo,Consolas,monospace;font-size:12px}"
    ".erd .box{fill:#fff;stroke:#4a5568;stroke-width:1}"
    ".erd .head{fill:#2b4c7e}.erd .title{fill:#fff;font-weight:bold}"
    ".erd .stub .box{fill:#f7fafc;stroke-dasharray:4 3}.erd .stub .head{fill:#a0aec0}"
    ".erd .key{fill:#975a16;font-weight:bold}.erd .col{fill:#1a202c}.erd .type{fill:#4a5568}"
    ".erd .more{fill:#718096;font-style:italic}"
    ".erd .row:hover rect{fill:#ebf4ff}.erd .row rect{fill:transparent}"
    ".erd .relation path{fill:none;stroke:#2d3748;stroke-width:1.2}"
    ".erd .relation .line.optional{stroke-dasharray:6 4}"
    ".erd .relation circle{fill:#fff;stroke:#2d3748;stroke-width:1.2}"
    ".erd .relation:hover path{stroke:#c53030;stroke-width:2}"
    ".erd a:hover .box{stroke:#c53030;stroke-width:2}"
)


def render(
    catalog: Catalog,
    diagram: Diagram,
    *,
    title: str,
    documented: set[QualifiedName],
    link_prefix: str = "",
    standalone: bool = False,
) -> str:
    """The SVG of one diagram. Boxes of `documented` tables link to their section;
    `link_prefix` goes before the `#anchor` (a standalone file links to `index.html#...`)."""
    tables: list[Table | None] = [catalog.table(q) for q in diagram.tables]
    names = list(diagram.tables) + list(diagram.stubs)
    boxes = [_box(t) for t in tables if t is not None] + [_stub(q) for q in diagram.stubs]
    index = {q: i for i, q in enumerate(names)}
    lines = [relation_line(catalog.table(rel.child), rel.key, rel.parent, rel.key.name) for rel in diagram.relations]
    edges = [(index[rel.parent], index[rel.child]) for rel in diagram.relations]
    placed = layout([(b.width, b.height) for b in boxes], edges)
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="erd" width="{_n(placed.width)}" '
            f'height="{_n(placed.height)}" viewBox="0 0 {_n(placed.width)} {_n(placed.height)}" role="img" '
            f'aria-label="{h(title)}">'
        ),
        f"<title>{h(title)}</title>",
    ]
    if standalone:
        out.append(f"<style>{STYLE}</style>")
    out.append('<g class="relations">')
    parallel: dict[frozenset[int], int] = {}
    for (parent, child), line, rel, route in zip(edges, lines, diagram.relations, placed.routes, strict=False):
        pair = frozenset((parent, child))
        offset = parallel.get(pair, 0)
        parallel[pair] = offset + 1
        description = (
            f"{rel.key.name}: {qualified(rel.child)} ({', '.join(rel.key.columns)}) → {qualified(rel.parent)} "
            f"({', '.join(rel.key.referenced_columns)})"
        )
        out.append(_relation(line, route, placed.boxes[parent], offset, description, rel.key.name))
    out.append("</g>")
    out.append('<g class="entities">')
    for name, box, spot in zip(names, boxes, placed.boxes, strict=False):
        href = link_prefix + "#" + table_anchor(name) if name in documented else None
        out.append(_entity(name, box, spot, href))
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


class _Box:
    def __init__(
        self, name: str, comment: str | None, rows: list[tuple[str, str, str, str | None]], more: int, stub: bool
    ) -> None:
        self.name, self.comment, self.rows, self.more, self.stub = name, comment, rows, more, stub
        key_w = max((display_width(r[0]) for r in rows), default=0)
        name_w = max((display_width(shorten(r[1], MAX_TEXT)) for r in rows), default=0)
        type_w = max((display_width(shorten(r[2], MAX_TEXT)) for r in rows), default=0)
        self.key_x = PAD
        self.name_x = PAD + (key_w * CHAR_WIDTH + COLUMN_GAP if key_w else 0)
        self.type_x = self.name_x + name_w * CHAR_WIDTH + COLUMN_GAP
        content = self.type_x + type_w * CHAR_WIDTH + PAD
        header = display_width(shorten(name, 2 * MAX_TEXT)) * CHAR_WIDTH + 2 * PAD
        more_w = len(f"… {more} more columns") * CHAR_WIDTH + 2 * PAD if more else 0
        self.width = math.ceil(max(content if rows else 0, header, more_w, 120))
        self.height = HEADER_HEIGHT + (len(rows) + (1 if more else 0)) * ROW_HEIGHT + (4 if rows or more else 0)


def _box(table: Table) -> _Box:
    rows = [(",".join(column_keys(table, c.name)), c.name, short_type(c.type), c.comment) for c in table.columns]
    return _Box(qualified(table.qname), table.comment, rows[:MAX_ROWS], max(0, len(rows) - MAX_ROWS), stub=False)


def _stub(qname: QualifiedName) -> _Box:
    return _Box(qualified(qname), None, [], 0, stub=True)


def _entity(qname: QualifiedName, box: _Box, spot: Placed, href: str | None) -> str:
    x, y = spot.x, spot.y
    tooltip = box.name + (f": {box.comment}" if box.comment else "") + (" (in another diagram)" if box.stub else "")
    classes = "entity stub" if box.stub else "entity"
    out = [
        (f'<a href="{h(href)}">' if href else "<a>") + f'<g class="{classes}" data-table="{h(qualified(qname))}">',
        f"<title>{h(tooltip)}</title>",
        f'<rect class="box" x="{_n(x)}" y="{_n(y)}" width="{_n(spot.w)}" height="{_n(spot.h)}" rx="3"/>',
        f'<rect class="head" x="{_n(x)}" y="{_n(y)}" width="{_n(spot.w)}" height="{HEADER_HEIGHT}" rx="3"/>',
        f'<text class="title" x="{_n(x + PAD)}" y="{_n(y + 16)}">{h(shorten(box.name, 2 * MAX_TEXT))}</text>',
    ]
    for number, (keys, name, type_, comment) in enumerate(box.rows):
        top = y + HEADER_HEIGHT + 2 + number * ROW_HEIGHT
        base = _n(top + 13)
        row_tip = f"{name} {type_}" + (f" ({keys})" if keys else "") + (f": {comment}" if comment else "")
        out.append(f'<g class="row"><title>{h(row_tip)}</title>')
        out.append(f'<rect x="{_n(x + 1)}" y="{_n(top)}" width="{_n(spot.w - 2)}" height="{ROW_HEIGHT}"/>')
        if keys:
            out.append(f'<text class="key" x="{_n(x + box.key_x)}" y="{base}">{h(keys)}</text>')
        out.append(f'<text class="col" x="{_n(x + box.name_x)}" y="{base}">{h(shorten(name, MAX_TEXT))}</text>')
        out.append(f'<text class="type" x="{_n(x + box.type_x)}" y="{base}">{h(shorten(type_, MAX_TEXT))}</text>')
        out.append("</g>")
    if box.more:
        top = y + HEADER_HEIGHT + 2 + len(box.rows) * ROW_HEIGHT
        out.append(f'<text class="more" x="{_n(x + PAD)}" y="{_n(top + 13)}">… {box.more} more columns</text>')
    out.append("</g></a>")
    return "\n".join(out)


def _relation(line: Line, route: tuple[Point, ...], parent_box: Placed, offset: int, description: str, key: str) -> str:
    points = _loop(parent_box, offset) if not route else _shifted(list(route), offset)
    dashed = "" if line.identifying else " optional"
    path = "M" + " L".join(f"{_n(px)} {_n(py)}" for px, py in points)
    out = [
        f'<g class="relation" data-key="{h(key)}"><title>{h(description)}</title>',
        f'<path class="line{dashed}" d="{path}"/>',
    ]
    out += _end(points[0], points[1], line.parent_end)
    out += _end(points[-1], points[-2], line.child_end)
    out.append("</g>")
    return "\n".join(out)


def _loop(box: Placed, offset: int) -> list[Point]:
    """A self-reference: out of the box's right side and back in a little lower."""
    right, top = box.x + box.w, box.y + HEADER_HEIGHT / 2 + 6 * offset
    reach = 28 + 8 * offset
    return [(right, top), (right + reach, top), (right + reach, top + 24), (right, top + 24)]


def _shifted(points: list[Point], offset: int) -> list[Point]:
    """A second key between the same two tables, drawn beside the first one."""
    if offset == 0 or len(points) < 2:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    shift = 8 * ((offset + 1) // 2) * (1 if offset % 2 else -1)
    nx, ny = -(y2 - y1) / length * shift, (x2 - x1) / length * shift
    return [(px + nx, py + ny) for px, py in points]


def _end(at: Point, towards: Point, kind: str) -> list[str]:
    """The crow's foot marks at one end of a line: `||` one, `|o` zero or one (parent side);
    `o{` zero or many, `o|` zero or one (child side)."""
    length = math.hypot(towards[0] - at[0], towards[1] - at[1]) or 1.0
    ux, uy = (towards[0] - at[0]) / length, (towards[1] - at[1]) / length
    nx, ny = -uy, ux

    def along(distance: float, side: float = 0.0) -> Point:
        return (at[0] + ux * distance + nx * side, at[1] + uy * distance + ny * side)

    def bar(distance: float) -> str:
        (ax, ay), (bx, by) = along(distance, -6), along(distance, 6)
        return f'<path d="M{_n(ax)} {_n(ay)} L{_n(bx)} {_n(by)}"/>'

    def ring(distance: float) -> str:
        cx, cy = along(distance)
        return f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="4"/>'

    if kind == "||":
        return [bar(6), bar(11)]
    if kind == "|o":
        return [bar(6), ring(16)]
    if kind == "o|":
        return [bar(6), ring(16)]
    (ax, ay), (bx, by), (cx, cy), (tx, ty) = along(0, -7), along(0, 0), along(0, 7), along(12)
    foot = f'<path d="M{_n(ax)} {_n(ay)} L{_n(tx)} {_n(ty)} L{_n(cx)} {_n(cy)} M{_n(bx)} {_n(by)} L{_n(tx)} {_n(ty)}"/>'
    return [foot, ring(17)]


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zero, never `-0`."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text

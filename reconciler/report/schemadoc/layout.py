"""Where each box of a diagram goes: a layered (Sugiyama) layout from grandalf.

Stage: report. Referenced tables are placed above the tables that reference them, so foreign
keys point upwards. Each group of connected tables is laid out on its own and the groups are
packed in rows; tables without foreign keys come last. grandalf keeps its vertices and edges in
insertion order, and we insert in the diagram's sorted order and round every coordinate, so the
same diagram always gets the same picture.

A self-reference (a table whose key points at itself) is left out of the layout; `svg` draws it
as a loop beside the box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout

X_GAP = 48  # between boxes of a layer
Y_GAP = 64  # between layers
GROUP_GAP = 64  # between groups of connected tables
ROW_WIDTH = 1400  # groups are packed in rows about this wide
MARGIN = 16

Point = tuple[float, float]


@dataclass(frozen=True)
class Placed:
    x: float  # top left corner
    y: float
    w: float
    h: float

    @property
    def center(self) -> Point:
        return (self.x + self.w / 2, self.y + self.h / 2)


@dataclass(frozen=True)
class Layout:
    boxes: tuple[Placed, ...]
    routes: tuple[tuple[Point, ...], ...]  # per edge, from its parent's border to its child's
    width: float
    height: float


class _View:
    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h
        self.xy: Point = (0.0, 0.0)


class _EdgeView:
    def __init__(self) -> None:
        self.points: list[Point] = []

    def setpath(self, points: list[Point]) -> None:
        self.points = list(points)


def layout(sizes: list[tuple[float, float]], edges: list[tuple[int, int]]) -> Layout:
    """Place boxes of `sizes` (width, height); `edges` are (parent, child) box indexes."""
    vertices = [Vertex(i) for i in range(len(sizes))]
    for vertex, (w, h) in zip(vertices, sizes, strict=False):
        vertex.view = _View(w, h)
    links: list[Edge] = []
    seen: set[tuple[int, int]] = set()
    for parent, child in edges:
        pair = (parent, child)
        if parent == child or pair in seen or (child, parent) in seen:
            continue  # loops are drawn beside the box; one layout edge per pair of tables
        seen.add(pair)
        link = Edge(vertices[parent], vertices[child])
        link.view = _EdgeView()
        links.append(link)
    graph = Graph(vertices, links)
    groups = []
    for component in graph.C:
        members = sorted(v.data for v in component.sV)
        if len(members) > 1:
            sugiyama = SugiyamaLayout(component)
            sugiyama.xspace, sugiyama.yspace = X_GAP, Y_GAP
            sugiyama.init_all()
            sugiyama.draw()
        groups.append(members)
    groups.sort(key=lambda g: (len(g) == 1, -len(g), g[0]))
    boxes = _pack(vertices, groups, links)
    routes = tuple(_route(boxes, parent, child, vertices, links) for parent, child in edges)
    points = [p for route in routes for p in route]
    width = max([b.x + b.w for b in boxes] + [p[0] for p in points], default=0) + MARGIN
    height = max([b.y + b.h for b in boxes] + [p[1] for p in points], default=0) + MARGIN
    return Layout(tuple(boxes), routes, _round(width), _round(height))


def _pack(vertices: list[Vertex], groups: list[list[int]], links: list[Edge]) -> list[Placed]:
    """Translate each group's own coordinates into rows of groups (a group's extent includes the
    bends of its lines, which may lie beside its boxes)."""
    placed: dict[int, Placed] = {}
    x = y = float(MARGIN)
    row_height = 0.0
    for members in groups:
        views = [vertices[i].view for i in members]
        inside = set(members)
        bends = [p for e in links if e.v[0].data in inside for p in e.view.points]
        left = min([v.xy[0] - v.w / 2 for v in views] + [p[0] for p in bends])
        top = min([v.xy[1] - v.h / 2 for v in views] + [p[1] for p in bends])
        width = max([v.xy[0] + v.w / 2 for v in views] + [p[0] for p in bends]) - left
        height = max([v.xy[1] + v.h / 2 for v in views] + [p[1] for p in bends]) - top
        if x > MARGIN and x + width > ROW_WIDTH:
            x, y, row_height = float(MARGIN), y + row_height + GROUP_GAP, 0.0
        for index, view in zip(members, views, strict=False):
            placed[index] = Placed(
                _round(x + view.xy[0] - view.w / 2 - left), _round(y + view.xy[1] - view.h / 2 - top), view.w, view.h
            )
        x += width + GROUP_GAP
        row_height = max(row_height, height)
    return [placed[i] for i in range(len(vertices))]


def _route(
    boxes: list[Placed], parent: int, child: int, vertices: list[Vertex], links: list[Edge]
) -> tuple[Point, ...]:
    if parent == child:
        return ()
    link = next((e for e in links if {e.v[0].data, e.v[1].data} == {parent, child}), None)
    assert link is not None
    # grandalf's points are in the group's own coordinates: shift them like the boxes
    start_view = vertices[parent].view
    dx = boxes[parent].center[0] - start_view.xy[0]
    dy = boxes[parent].center[1] - start_view.xy[1]
    points = [(px + dx, py + dy) for px, py in link.view.points]
    if not points or _distance(points[0], boxes[parent].center) > _distance(points[-1], boxes[parent].center):
        points.reverse()
    inner = points[1:-1]
    start = _clip(boxes[parent], inner[0] if inner else boxes[child].center)
    end = _clip(boxes[child], inner[-1] if inner else boxes[parent].center)
    return tuple((_round(px), _round(py)) for px, py in [start, *inner, end])


def _clip(box: Placed, towards: Point) -> Point:
    """Where the segment from the box's center towards `towards` leaves the box."""
    cx, cy = box.center
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return (cx, box.y + box.h)
    scale = min(box.w / 2 / abs(dx) if dx else math.inf, box.h / 2 / abs(dy) if dy else math.inf)
    return (cx + dx * scale, cy + dy * scale)


def _distance(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _round(value: float) -> float:
    return round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0

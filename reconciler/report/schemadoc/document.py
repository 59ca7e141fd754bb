"""A format-neutral document: what the data dictionary says, before Markdown or HTML says it.

Stage: report. `dictionary` builds one `Document` from a catalog; `markdown` and `html` render
the same blocks, each with its own escaping, so both formats always carry the same facts.
Inline fragments keep names (`Code`) apart from free text (`Text`) and from comments people
wrote (`Comment`, where `code` spans are honoured), because each is escaped differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Comment:
    text: str


@dataclass(frozen=True)
class Link:
    """A link to an anchor of the document (a table, a schema)."""

    label: Code | Text
    anchor: str


Inline = Text | Code | Comment | Link
Cell = tuple[Inline, ...]


@dataclass(frozen=True)
class Heading:
    level: int  # 2: schema or part, 3: object
    content: Cell
    anchor: str | None = None


@dataclass(frozen=True)
class Paragraph:
    content: Cell


@dataclass(frozen=True)
class Labelled:
    """`label: content`, as a one-line fact (`Primary key: (id)`)."""

    label: str
    content: Cell


@dataclass(frozen=True)
class Grid:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class CodeBlock:
    text: str
    language: str = "sql"
    summary: str | None = None  # folded behind this summary where the format can fold


@dataclass(frozen=True)
class DiagramSlot:
    """Where diagram number `index` goes (Mermaid in Markdown, SVG in HTML)."""

    index: int
    title: str


Block = Heading | Paragraph | Labelled | Grid | CodeBlock | DiagramSlot


@dataclass(frozen=True)
class Entry:
    """One navigation entry: a table or another object, with the words search matches."""

    label: str
    anchor: str
    search: str
    kind: str = "table"


@dataclass(frozen=True)
class NavGroup:
    label: str
    anchor: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Section:
    """Blocks that belong together: one table, one schema's header... `anchor` lets the HTML
    search hide a table's whole section when it does not match."""

    blocks: tuple[Block, ...]
    anchor: str | None = None


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section] = field(default_factory=list)
    nav: list[NavGroup] = field(default_factory=list)

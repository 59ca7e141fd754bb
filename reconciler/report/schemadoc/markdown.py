"""The data dictionary as Markdown, with its diagrams as Mermaid blocks (GitHub and GitLab draw
them).

Stage: report. Names are code spans (shown exactly, never taken as Markdown or HTML); comments
keep inline formatting such as `code` but their HTML is escaped. Each table has an explicit
`<a id>` anchor, so links between tables do not depend on how a host turns headings into ids.
"""

from __future__ import annotations

import re

from reconciler.report.schemadoc.document import (
    Block,
    Cell,
    Code,
    CodeBlock,
    Comment,
    DiagramSlot,
    Document,
    Grid,
    Heading,
    Labelled,
    Link,
    Paragraph,
    Text,
)
from reconciler.report.schemadoc.text import md_code, md_text, visible


def render(doc: Document, diagrams: list[str], *, notice: str) -> str:
    """`diagrams` are the Mermaid texts of the document's diagram slots, in order."""
    lines = [
        f"# {md_text(doc.title, in_table=False)}",
        "",
        md_text(doc.subtitle, in_table=False),
        "",
        f"_{notice}_",
        "",
    ]
    for section in doc.sections:
        for block in section.blocks:
            lines += _block(block, diagrams)
            lines.append("")
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def _block(block: Block, diagrams: list[str]) -> list[str]:
    if isinstance(block, Heading):
        marks = "#" * block.level
        anchor = f'<a id="{block.anchor}"></a>' if block.anchor else ""
        return [
            f"{anchor}\n{marks} {_cell(block.content, in_table=False)}"
            if anchor
            else f"{marks} {_cell(block.content, in_table=False)}"
        ]
    if isinstance(block, Paragraph):
        return [_cell(block.content, in_table=False)]
    if isinstance(block, Labelled):
        content = _cell(block.content, in_table=False)
        return [f"**{block.label}:** {content}" if content else f"**{block.label}:**"]
    if isinstance(block, Grid):
        out = ["| " + " | ".join(block.header) + " |", "|" + "---|" * len(block.header)]
        for row in block.rows:
            out.append("| " + " | ".join(_cell(cell, in_table=True) for cell in row) + " |")
        return out
    if isinstance(block, CodeBlock):
        fence = _fence(block.text)
        body = [fence + block.language, *(visible(line) for line in block.text.split("\n")), fence]
        if block.summary is None:
            return body
        return [f"<details><summary>{block.summary}</summary>", "", *body, "", "</details>"]
    if isinstance(block, DiagramSlot):
        return [
            f"### {md_text(block.title, in_table=False)}",
            "",
            "```mermaid",
            diagrams[block.index].rstrip("\n"),
            "```",
        ]
    raise TypeError(f"unknown block {block!r}")


def _cell(cell: Cell, *, in_table: bool) -> str:
    return "".join(_inline(item, in_table) for item in cell)


def _inline(item: object, in_table: bool) -> str:
    if isinstance(item, Code):
        return md_code(item.text, in_table=in_table)
    if isinstance(item, Text | Comment):
        return md_text(item.text, in_table=in_table)
    if isinstance(item, Link):
        return f"[{_inline(item.label, in_table)}](#{item.anchor})"
    raise TypeError(f"unknown inline {item!r}")


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    return "`" * (longest + 1)

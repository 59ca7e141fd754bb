"""The data dictionary as one self-contained HTML page: diagrams as inline SVG, inline CSS, a
small inline script for search, and nothing loaded from anywhere (a Content-Security-Policy
forbids it, so a mistake would show as an error rather than as a silent download).

Stage: report. Without JavaScript everything is shown; with it, the search box narrows the
navigation and the table sections to those whose names, columns or comments match, and dims the
other boxes of the diagrams.
"""

from __future__ import annotations

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
    Section,
    Text,
)
from reconciler.report.schemadoc.svg import STYLE as SVG_STYLE
from reconciler.report.schemadoc.text import h, h_comment, h_multiline

POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#1a202c;background:#f7fafc}
nav{position:fixed;top:0;bottom:0;left:0;width:260px;overflow:auto;background:#1e2a3a;color:#e2e8f0;padding:12px}
nav a{color:#e2e8f0;text-decoration:none}nav a:hover{text-decoration:underline}
nav h2{font-size:13px;margin:14px 0 4px;text-transform:uppercase;letter-spacing:.04em}
nav ul{list-style:none;margin:0;padding:0 0 0 8px}nav li{margin:1px 0;font-size:13px;word-break:break-all}
nav li .kind{color:#a0aec0;font-size:11px;margin-left:4px}
#search{width:100%;padding:6px 8px;border-radius:4px;border:1px solid #4a5568;font-size:14px}
main{margin-left:260px;padding:16px 28px 48px;max-width:1400px}
h1{font-size:24px;margin:4px 0}h2{font-size:20px;margin:28px 0 8px;border-bottom:2px solid #cbd5e0}
h3{font-size:16px;margin:24px 0 6px}
section.object{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:4px 16px 12px;margin:14px 0}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}
th,td{border:1px solid #e2e8f0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#edf2f7;font-weight:600}
code{font-family:'DejaVu Sans Mono','Liberation Mono',Menlo,Consolas,monospace;font-size:12.5px;background:#edf2f7;padding:0 3px;border-radius:3px;word-break:break-word}
pre{background:#1a202c;color:#e2e8f0;padding:10px;overflow:auto;border-radius:4px}pre code{background:none;color:inherit}
figure{margin:12px 0;background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:8px}
figcaption{font-weight:600;margin-bottom:6px}.scroll{overflow:auto}
.erd .entity.dim{opacity:.18}.notice{color:#4a5568;font-style:italic}
.hidden{display:none}
"""  # noqa: E501  (the stylesheet verbatim: one rule a line, as the generated pages carry it)

SCRIPT = """
(function(){
  var box=document.getElementById('search');
  function apply(){
    var q=box.value.trim().toLowerCase();
    var shown={};
    document.querySelectorAll('[data-search]').forEach(function(el){
      var hit=!q||el.getAttribute('data-search').indexOf(q)>=0;
      el.classList.toggle('hidden',!hit);
      if(hit&&el.hasAttribute('data-table')){shown[el.getAttribute('data-table')]=true;}
    });
    document.querySelectorAll('svg.erd g.entity').forEach(function(el){
      el.classList.toggle('dim',!!q&&!shown[el.getAttribute('data-table')]);
    });
  }
  box.addEventListener('input',apply);
})();
"""


def render(doc: Document, svgs: list[str], *, notice: str, table_names: dict[str, str]) -> str:
    """`svgs` are the SVG drawings of the document's diagram slots, in order; `table_names` maps
    a table section's anchor to the name its diagram boxes carry (`data-table`)."""
    searchable = {entry.anchor: entry.search for group in doc.nav for entry in group.entries}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(doc.title)}</title>",
        f"<style>{CSS.strip()}\n{SVG_STYLE}</style>",
        "</head>",
        "<body>",
        _nav(doc, table_names),
        "<main>",
        f"<h1>{h(doc.title)}</h1>",
        f"<p>{h(doc.subtitle)}</p>",
        f'<p class="notice">{h_comment(notice)}</p>',
    ]
    for section in doc.sections:
        out.append(_section(section, svgs, searchable, table_names))
    out += ["</main>", f"<script>{SCRIPT.strip()}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _nav(doc: Document, table_names: dict[str, str]) -> str:
    out = [
        '<nav aria-label="objects">',
        '<input id="search" type="search" placeholder="Search tables, columns, comments" aria-label="search">',
        '<p><a href="#overview">Overview and diagrams</a></p>',
    ]
    for group in doc.nav:
        out.append(f'<h2><a href="#{group.anchor}">{h(group.label)}</a></h2>')
        out.append("<ul>")
        for entry in group.entries:
            kind = "" if entry.kind == "table" else f'<span class="kind">{h(entry.kind)}</span>'
            table = f' data-table="{h(table_names[entry.anchor])}"' if entry.anchor in table_names else ""
            out.append(
                f'<li data-search="{h(entry.search)}"{table}><a href="#{entry.anchor}">{h(entry.label)}</a>{kind}</li>'
            )
        out.append("</ul>")
    out.append("</nav>")
    return "\n".join(out)


def _section(section: Section, svgs: list[str], searchable: dict[str, str], table_names: dict[str, str]) -> str:
    body = "\n".join(_block(block, svgs) for block in section.blocks)
    if section.anchor is None:
        return body
    if section.anchor == "overview":
        return f'<section id="overview">\n{body}\n</section>'
    search = searchable.get(section.anchor)
    attributes = f' data-search="{h(search)}"' if search is not None else ""
    if section.anchor in table_names:
        attributes += f' data-table="{h(table_names[section.anchor])}"'
    return f'<section class="object"{attributes}>\n{body}\n</section>'


def _block(block: Block, svgs: list[str]) -> str:
    if isinstance(block, Heading):
        anchor = f' id="{block.anchor}"' if block.anchor else ""
        return f"<h{block.level}{anchor}>{_cell(block.content)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{_cell(block.content)}</p>"
    if isinstance(block, Labelled):
        content = _cell(block.content)
        return f"<p><strong>{h(block.label)}</strong>{': ' + content if content else ''}</p>"
    if isinstance(block, Grid):
        head = "".join(f"<th>{h(label)}</th>" for label in block.header)
        rows = "".join("<tr>" + "".join(f"<td>{_cell(cell)}</td>" for cell in row) + "</tr>\n" for row in block.rows)
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>"
    if isinstance(block, CodeBlock):
        code = f"<pre><code>{h_multiline(block.text).replace('<br>', chr(10))}</code></pre>"
        return f"<details><summary>{h(block.summary)}</summary>{code}</details>" if block.summary else code
    if isinstance(block, DiagramSlot):
        return (
            f'<figure class="diagram"><figcaption>{h(block.title)}</figcaption>\n<div '
            f'class="scroll">\n{svgs[block.index].rstrip()}\n</div></figure>'
        )
    raise TypeError(f"unknown block {block!r}")


def _cell(cell: Cell) -> str:
    return "".join(_inline(item) for item in cell)


def _inline(item: object) -> str:
    if isinstance(item, Code):
        return f"<code>{h(item.text)}</code>"
    if isinstance(item, Text):
        return h(item.text)
    if isinstance(item, Comment):
        return h_comment(item.text)
    if isinstance(item, Link):
        return f'<a href="#{item.anchor}">{_inline(item.label)}</a>'
    raise TypeError(f"unknown inline {item!r}")

"""Names and comments made safe for each output: Markdown, HTML/SVG, Mermaid, file names, anchors.

Stage: report. Every name comes from YAML or a catalog, so it is user input: it may hold quotes,
`<script>`, newlines, control characters or Mermaid syntax. Each output gets its own escaping
here, and nothing else in the package writes a name without going through one of these.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

from reconciler.model import QualifiedName

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """`text` with control characters shown as `\\xNN` (XML cannot carry most of them, and a
    newline in a name must not start a new Markdown or Mermaid line)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def qualified(qname: QualifiedName) -> str:
    """`schema.name` for display; a part containing a dot or a quote is double-quoted as in SQL,
    so `a.b` in schema `s` and `b` in schema `s.a` read differently."""
    return f"{_part(qname.schema)}.{_part(qname.name)}"


def _part(name: str) -> str:
    return '"' + name.replace('"', '""') + '"' if any(c in name for c in '."') or name != name.strip() else name


# --- HTML and SVG ----------------------------------------------------------------------------


def h(text: str) -> str:
    """Text for HTML or SVG content and attribute values (double-quoted)."""
    return html.escape(visible(text), quote=True)


_CODE_SPAN = re.compile(r"`([^`]+)`")


def h_comment(text: str) -> str:
    """A comment as HTML: escaped, with `code` spans and line breaks kept."""
    escaped = h_multiline(text)
    return _CODE_SPAN.sub(r"<code>\1</code>", escaped)


def h_multiline(text: str) -> str:
    return "<br>".join(h(line) for line in text.split("\n"))


def anchor(kind: str, *parts: str) -> str:
    """A stable, safe HTML id: a readable slug plus a short hash of the exact name, so that
    names differing only in characters the slug drops still get distinct ids."""
    exact = "\x00".join(parts)
    digest = hashlib.sha256(exact.encode("utf-8")).hexdigest()[:8]
    return f"{kind}-{slug('-'.join(parts), limit=40)}-{digest}"


def slug(text: str, *, limit: int = 60) -> str:
    """Lower-case ASCII letters, digits and '-' only (for ids and file names); never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:limit].strip("-") or "x"


# --- Markdown --------------------------------------------------------------------------------


def md_code(text: str, *, in_table: bool = True) -> str:
    """A name as a Markdown code span: shown exactly, never interpreted (HTML included)."""
    shown = visible(text)
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {shown} " if shown.startswith("`") or shown.endswith("`") or longest else shown
    span = f"{fence}{padded}{fence}"
    return span.replace("|", "\\|") if in_table else span


def md_text(text: str, *, in_table: bool = True) -> str:
    """Free text (a comment) as Markdown: inline formatting such as `code` kept, HTML escaped,
    one line (line breaks as <br>)."""
    lines = [_md_line(line, in_table) for line in text.split("\n")]
    return "<br>".join(line for line in lines)


def _md_line(line: str, in_table: bool) -> str:
    escaped = html.escape(visible(line), quote=False)
    if in_table:
        escaped = escaped.replace("|", "\\|")
    # a line that would start a block (heading, list, quote) stays text
    return re.sub(r"^(\s*)([#>+\-*]|\d+[.)])", r"\1\\\2", escaped)


# --- Mermaid ---------------------------------------------------------------------------------

# What Mermaid (10 and 11, checked in tests/test_schemadoc_browser.py) does not keep in a quoted
# string: `"` ends it, `%` and `\` are parse errors, `#...;` and `&...;` are decoded as entities,
# and tags are stripped. Those characters are drawn as look-alikes; the dictionary shows names exactly.
_MERMAID_LOOKALIKES = str.maketrans({'"': "＂", "<": "‹", ">": "›", "#": "＃", "&": "＆", "%": "％", "\\": "＼"})


def mermaid_string(text: str) -> str:
    """A double-quoted Mermaid string: entity names, attribute comments, relation labels."""
    return '"' + visible(text).translate(_MERMAID_LOOKALIKES) + '"'


_MERMAID_WORD = re.compile(r"[^A-Za-z0-9_\-()\[\]]")


def mermaid_word(text: str) -> str:
    """An attribute type or name: Mermaid allows only letters, digits, `_-()[]` and no spaces
    (`timestamp with time zone` becomes `timestamp_with_time_zone`)."""
    word = _MERMAID_WORD.sub("_", visible(text).replace(", ", ",").replace(",", "_"))
    return word if re.match(r"[A-Za-z_]", word) else "_" + word


_SHORT_TYPES = [
    (re.compile(r"^timestamp(\(\d+\))? with time zone"), r"timestamptz\1"),
    (re.compile(r"^timestamp(\(\d+\))? without time zone"), r"timestamp\1"),
    (re.compile(r"^time(\(\d+\))? with time zone"), r"timetz\1"),
    (re.compile(r"^time(\(\d+\))? without time zone"), r"time\1"),
    (re.compile(r"^character varying"), "varchar"),
    (re.compile(r"^character\b"), "char"),
    (re.compile(r"^double precision"), "float8"),
    (re.compile(r"^bit varying"), "varbit"),
    (re.compile(r'^(?:"(?:[^"]|"")*"|[^."\s(]+)\.(?=\S)'), ""),  # a schema qualifier
]


def short_type(type_name: str) -> str:
    """A type as a diagram shows it: PostgreSQL's long spellings in their short forms
    (`timestamp with time zone` as `timestamptz`) and without a schema qualifier. The
    dictionary shows the type exactly."""
    for pattern, replacement in _SHORT_TYPES:
        type_name = pattern.sub(replacement, type_name, count=1)
    return type_name


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    line = " ".join(visible(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def display_width(text: str) -> int:
    """Columns `text` takes in a monospace font (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

"""Identifier rules and PostgreSQL's default object names.

Names in YAML are user input. We accept any name PostgreSQL can store exactly (quotes, semicolons,
spaces and unicode included: SQL composition quotes them), and reject what it would silently
change: empty names, NUL bytes, and names over 63 bytes, which PostgreSQL truncates.

When the YAML names no constraint or index, the loader derives the name PostgreSQL itself would
choose (same algorithm as `makeObjectName`/`ChooseRelationName` in its source: byte-based
truncation of the longer part first, then a numeric suffix on the label until the name is free),
so that a database created by hand and one created by reconciler carry the same names, and
`export` can leave default names out of the YAML.
"""

from __future__ import annotations

MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1


def identifier_problem(name: str) -> str | None:
    """Why `name` cannot be a PostgreSQL identifier, or None if it can."""
    if name == "":
        return "name must not be empty"
    if "\x00" in name:
        return "name must not contain a NUL character"
    size = len(name.encode("utf-8"))
    if size > MAX_IDENTIFIER_BYTES:
        return (
            f"name {_shorten(name)!r} is {size} bytes long; PostgreSQL's limit is "
            f"{MAX_IDENTIFIER_BYTES} and it would silently truncate it"
        )
    return None


def _shorten(name: str) -> str:
    return name if len(name) <= 40 else name[:37] + "..."


def _clip(name: str, max_bytes: int) -> str:
    """The longest prefix of `name` that fits in `max_bytes` bytes without splitting a character."""
    encoded = name.encode("utf-8")[:max_bytes]
    return encoded.decode("utf-8", errors="ignore")


def make_object_name(name1: str, name2: str | None, label: str | None) -> str:
    """PostgreSQL's makeObjectName: `name1[_name2][_label]` truncated to 63 bytes."""
    len1 = len(name1.encode("utf-8"))
    len2 = len(name2.encode("utf-8")) if name2 is not None else 0
    overhead = (1 if name2 is not None else 0) + (len(label.encode("utf-8")) + 1 if label else 0)
    available = MAX_IDENTIFIER_BYTES - overhead
    while len1 + len2 > available:
        if len1 > len2:
            len1 -= 1
        else:
            len2 -= 1
    parts = [_clip(name1, len1)]
    if name2 is not None:
        parts.append(_clip(name2, len2))
    if label:
        parts.append(label)
    return "_".join(parts)


def choose_name(name1: str, name2: str | None, label: str, taken: set[str]) -> str:
    """PostgreSQL's ChooseRelationName/ChooseConstraintName; adds the result to `taken`."""
    attempt = 0
    while True:
        suffix = label if attempt == 0 else f"{label}{attempt}"
        name = make_object_name(name1, name2, suffix)
        if name not in taken:
            taken.add(name)
            return name
        attempt += 1


def name_addition(column_names: list[str]) -> str:
    """PostgreSQL's ChooseIndexNameAddition: column names joined by '_', stopping past 63 bytes."""
    out = ""
    for name in column_names:
        if out:
            out += "_"
        out += _clip(name, MAX_IDENTIFIER_BYTES)
        if len(out.encode("utf-8")) >= MAX_IDENTIFIER_BYTES + 1:
            break
    return out

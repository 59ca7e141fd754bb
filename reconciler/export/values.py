"""SQL values as YAML: the one converter every exported kind uses.

Stage: export. PostgreSQL spells a default, a bound or an argument default as SQL text; a plain
integer or boolean is written as a YAML scalar (`default: 0`, `default: true`), which the loader
reads back as the same SQL literal (`spec.SqlValue`). Anything else stays SQL text.
"""

from __future__ import annotations

import re
from typing import Any

_INTEGER = re.compile(r"^-?[0-9]+$")


def sql_value(text: str) -> Any:
    """Values that are plain integers or booleans as YAML scalars; other SQL as its text."""
    if _INTEGER.match(text):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    return text


def put(spec: dict[str, Any], key: str, value: Any, default: Any = None) -> None:
    """Set `key` unless `value` is its default (or empty): exported documents leave defaults out."""
    if value != default and value != () and value != []:
        spec[key] = list(value) if isinstance(value, tuple) else value

"""Turn pydantic validation errors into located, readable diagnostics.

pydantic reports a location such as ('spec', 'columns', 0, 'identity', 'IdentitySpec', 'start');
the elements that name union members are not in the document, so we follow the location only
as far as the document has it. When several union members fail at the same place, the member
that got furthest into the value is the one the user meant, and only its errors are kept.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reconciler.errors import Diagnostic
from reconciler.load.yamlsrc import Document, PathKey

_TYPE_MISMATCH_SUFFIXES = ("_type", "_parsing")


def _known_aliases(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    """Every field alias of a document model and the models nested in it."""
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        names.update(_aliases_in_annotation(info.annotation, seen))
    return names


def _aliases_in_annotation(annotation: Any, seen: set[type]) -> set[str]:
    names: set[str] = set()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _known_aliases(annotation, seen)
    for arg in getattr(annotation, "__args__", ()) or ():
        names.update(_aliases_in_annotation(arg, seen))
    return names


def _resolve(document: Document, base: PathKey, loc: tuple[Any, ...]) -> tuple[PathKey, bool]:
    """The longest prefix of `loc` that exists in the document; and whether all of it did."""
    path = base
    complete = True
    for element in loc:
        candidate = (*path, element)
        if candidate in document.values or candidate in document.keys:
            path = candidate
        else:
            complete = False
    return path, complete


def format_path(path: PathKey) -> str:
    """('spec', 'columns', 0, 'type') -> 'spec.columns[0].type'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: ErrorDetails, known: set[str], path: PathKey) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        field = str(loc[-1])
        close = difflib.get_close_matches(field, sorted(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        parent = format_path(path[:-1])
        return f"unknown field {field!r}" + (f" in {parent}" if parent else "") + hint
    if kind == "missing":
        return f"missing required field {str(loc[-1])!r}"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return re.sub(r"a valid dictionary or instance of \w+", "a mapping", message)


def diagnostics_from(
    exc: ValidationError, document: Document, model: type[BaseModel], base: PathKey = ()
) -> list[Diagnostic]:
    known = _known_aliases(model)
    located: list[tuple[PathKey, bool, ErrorDetails]] = []
    for error in exc.errors():
        path, _ = _resolve(document, base, error["loc"])
        located.append((path, error["type"] == "extra_forbidden", error))
    # Union members that failed on type at a shallower place than another member lose.
    deepest = {p for p, _, _ in located}
    kept = [
        (path, is_key, error)
        for path, is_key, error in located
        if not (error["type"].endswith(_TYPE_MISMATCH_SUFFIXES) or error["type"] in ("literal_error", "model_type"))
        or not any(other != path and other[: len(path)] == path for other in deepest)
    ]
    merged: dict[tuple[PathKey, bool], list[str]] = {}
    for path, is_key, error in kept:
        merged.setdefault((path, is_key), [])
        text = _message(error, known, path)
        if text not in merged[(path, is_key)]:
            merged[(path, is_key)].append(text)
    return [
        document.diagnostic(path, _joined(path, is_key, texts), key=is_key) for (path, is_key), texts in merged.items()
    ]


def _joined(path: PathKey, is_key: bool, texts: list[str]) -> str:
    """One message per place: unknown-field messages stand alone, others get the path once."""
    if is_key:
        return "; ".join(texts)
    where = format_path(path)
    body = texts[0] if len(texts) == 1 else ", or ".join(texts)
    return f"{where}: {body}" if where else body

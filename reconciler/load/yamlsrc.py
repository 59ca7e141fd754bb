"""Read YAML files into plain Python values while remembering where each value was written.

Stage: load (first half). Errors found later (by pydantic or by cross-document checks) carry a
path such as ('spec', 'columns', 2, 'type'); `Document.locate` turns it into file:line:col.

Two deliberate departures from PyYAML's defaults:
- Plain scalars follow the YAML 1.2 core schema: only true/false are booleans, so a column named
  `on`, `yes` or `no` stays a string, and nothing becomes a date.
- A key written twice in one mapping is an error, not a silent overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reconciler.errors import Diagnostic

PathKey = tuple[str | int, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_STANDARD_TAG = "tag:yaml.org,2002:"
# libyaml's parser when PyYAML was built with it (it keeps line/column marks), else pure Python.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Document:
    """One YAML document of a file, as plain data plus the position of every value and key."""

    file: str
    index: int
    data: Any
    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)

    def locate(self, path: PathKey, *, key: bool = False) -> Position:
        """Position of the value (or key) at `path`, or of its nearest known ancestor."""
        path = tuple(path)
        while True:
            table = self.keys if key else self.values
            if path in table:
                return table[path]
            if key and path in self.values:
                return self.values[path]
            if not path:
                return Position(1, 1)
            path = path[:-1]

    def diagnostic(self, path: PathKey, message: str, *, key: bool = False) -> Diagnostic:
        pos = self.locate(path, key=key)
        return Diagnostic(self.file, pos.line, pos.column, message)


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed node tree into Python values, recording positions and problems."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.problems: list[Diagnostic] = []

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.document.values[path] = _position(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, "a mapping key must be a plain string")
                continue
            key = str(key_node.value)
            if key in out:
                first = self.document.keys[path + (key,)]
                self._problem(key_node, f"duplicate key {key!r} (first written at line {first.line})")
                continue
            self.document.keys[path + (key,)] = _position(key_node)
            out[key] = self.build(value_node, path + (key,))
        return out

    def _scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        if not node.tag.startswith(_STANDARD_TAG):
            self._problem(node, f"YAML tag {node.tag!r} is not supported")
            return None
        if node.style:  # quoted or block scalar: always a string (plain is None, or "" from libyaml)
            return node.value
        return _resolve_plain(node.value)

    def _problem(self, node: yaml.Node, message: str) -> None:
        pos = _position(node)
        self.problems.append(Diagnostic(self.document.file, pos.line, pos.column, message))


def _resolve_plain(text: str) -> Any:
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _INT.match(text):
        return int(text, 0) if text.startswith(("0o", "0x")) else int(text)
    if _FLOAT.match(text):
        return float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))
    return text


def read_documents(path: Path, display_name: str) -> tuple[list[Document], list[Diagnostic]]:
    """All non-empty documents of one YAML file, and the problems met reading it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [], [Diagnostic(display_name, 0, 0, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return [], [Diagnostic(display_name, 0, 0, f"cannot read file: {exc.strerror}")]
    documents: list[Document] = []
    problems: list[Diagnostic] = []
    try:
        for index, node in enumerate(yaml.compose_all(text, Loader=_LOADER)):
            if node is None:
                continue
            document = Document(display_name, index, None)
            builder = _Builder(document)
            document.data = builder.build(node, ())
            problems.extend(builder.problems)
            documents.append(document)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problems.append(Diagnostic(display_name, line, column, f"invalid YAML: {message}"))
    except yaml.YAMLError as exc:
        problems.append(Diagnostic(display_name, 0, 0, f"invalid YAML: {exc}"))
    return documents, problems

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
from typing import TYPE_CHECKING, Any

import yaml

from reconciler.errors import Diagnostic

PathKey = tuple[str | int, ...]

_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_STANDARD_TAG = "tag:yaml.org,2002:"
# libyaml's parser when PyYAML was built with it (it keeps line/column marks), else pure Python.
# The base loader: scalars are resolved here (YAML 1.2 core), so PyYAML's resolver would be wasted.
if TYPE_CHECKING:
    _BASE_LOADER = yaml.BaseLoader
else:
    _BASE_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_DEFAULT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _Loader(_BASE_LOADER):
    """Every node gets its kind's plain tag; `_resolve_plain` decides what a plain scalar is.
    (PyYAML would otherwise call its resolver in Python for every node of every file.)"""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return _DEFAULT_TAGS[kind]


_LOADER = _Loader
_NULLS = frozenset({"~", "null", "Null", "NULL", ""})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NUMERIC_START = frozenset("0123456789+-.")


@dataclass(frozen=True, slots=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Document:
    """One YAML document of a file, as plain data plus the position of every value and key.

    Positions are kept as the parser's marks and turned into line/column only when an error
    needs one: most documents are valid, and most of their positions are never looked at."""

    file: str
    index: int
    data: Any
    values: dict[PathKey, Any] = field(default_factory=dict)  # path -> yaml Mark
    keys: dict[PathKey, Any] = field(default_factory=dict)
    located: bool = True  # False: built from an object (a custom resource), no lines to point at

    @classmethod
    def from_object(cls, source: str, data: Any) -> Document:
        """A document that did not come from a file: errors name the field path instead of a line."""
        return cls(source, 0, data, located=False)

    def locate(self, path: PathKey, *, key: bool = False) -> Position:
        """Position of the value (or key) at `path`, or of its nearest known ancestor."""
        path = tuple(path)
        while True:
            table = self.keys if key else self.values
            if path in table:
                return _position(table[path])
            if key and path in self.values:
                return _position(self.values[path])
            if not path:
                return Position(1, 1)
            path = path[:-1]

    def diagnostic(self, path: PathKey, message: str, *, key: bool = False) -> Diagnostic:
        if not self.located:
            return Diagnostic(self.file, 0, 0, f"{dotted(path)}: {message}" if path else message)
        pos = self.locate(path, key=key)
        return Diagnostic(self.file, pos.line, pos.column, message)


def dotted(path: PathKey) -> str:
    """('spec', 'columns', 2, 'type') -> 'spec.columns[2].type'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _position(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a composed node tree into Python values, recording positions and problems."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.problems: list[Diagnostic] = []

    def build(self, root: yaml.Node, path: PathKey) -> Any:
        values, keys = self.document.values, self.document.keys
        mapping_node, sequence_node = yaml.MappingNode, yaml.SequenceNode
        problem = self._problem

        def walk(node: yaml.Node, path: PathKey) -> Any:  # called for every node of every file: kept tight
            values[path] = node.start_mark
            if type(node) is mapping_node:
                out: dict[str, Any] = {}
                for key_node, value_node in node.value:
                    if type(key_node) is not yaml.ScalarNode:
                        problem(key_node, "a mapping key must be a plain string")
                        continue
                    key = str(key_node.value)
                    child = (*path, key)
                    if key in out:
                        first = _position(keys[child])
                        problem(key_node, f"duplicate key {key!r} (first written at line {first.line})")
                        continue
                    keys[child] = key_node.start_mark
                    out[key] = walk(value_node, child)
                return out
            if type(node) is sequence_node:
                return [walk(item, (*path, i)) for i, item in enumerate(node.value)]
            if not node.tag.startswith(_STANDARD_TAG):
                problem(node, f"YAML tag {node.tag!r} is not supported")
                return None
            # a scalar: quoted or block style is always a string (plain is None, or "" from libyaml)
            if getattr(node, "style", None):
                return node.value
            return _resolve_plain(node.value)

        return walk(root, path)

    def _problem(self, node: yaml.Node, message: str) -> None:
        pos = _position(node.start_mark)
        self.problems.append(Diagnostic(self.document.file, pos.line, pos.column, message))


def _resolve_plain(text: str) -> Any:
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if text[0] not in _NUMERIC_START:  # names and types, nearly every scalar: done
        return text
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

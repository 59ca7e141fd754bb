"""The `lint:` section of reconciler.yaml: a severity per rule, naming patterns, thresholds.

Stage: lint. The project file (`reconciler.config`) embeds this model, so a wrong rule id or an
invalid pattern is reported like every other mistake in that file, as file:line:col.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from reconciler.lint.rules import RULES, Rule, Severity

DEFAULT_AMOUNT_PATTERN = (
    r"(^|_)(amount|amt|price|cost|total|subtotal|balance|fee|tax|vat|salary|wage|payment|refund|discount)s?(_|$)"
)


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


Pattern = Annotated[str, AfterValidator(_regex)]


class LintModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, alias_generator=to_camel, use_attribute_docstrings=True
    )


class NamingPatterns(LintModel):
    """Regular expressions each name must match in full (`design/naming-convention`). In the
    patterns of table members (column, index, constraint, trigger), `{table}` stands for the
    table's name."""

    schema_: Pattern | None = Field(default=None, alias="schema")
    table: Pattern | None = None
    column: Pattern | None = None
    index: Pattern | None = None
    constraint: Pattern | None = None
    """Primary keys, unique, check and foreign-key constraints."""
    sequence: Pattern | None = None
    type: Pattern | None = None
    """Enums, domains and composite types."""
    view: Pattern | None = None
    """Views and materialized views."""
    function: Pattern | None = None
    """Functions and procedures."""
    trigger: Pattern | None = None

    def pattern(self, kind: str) -> str | None:
        found: str | None = getattr(self, "schema_" if kind == "schema" else kind)
        return found


class LintSettings(LintModel):
    rules: dict[str, Literal["error", "warning", "off"]] = {}
    """Severity per rule id (`design/money-type: error`), or per glob over ids (`change/*: error`);
    an exact id wins over a glob, a longer glob over a shorter one."""
    naming: NamingPatterns = NamingPatterns()
    key_limit_ratio: float = Field(default=0.5, gt=0, le=1)
    """`design/integer-key-near-limit` reports a key whose sequence has used this much of its range."""
    amount_pattern: Pattern = DEFAULT_AMOUNT_PATTERN
    """`design/float-for-amount` looks at float columns whose name matches this (case-insensitive search)."""

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not any(fnmatch.fnmatchcase(rule, key) for rule in RULES):
                known = ", ".join(sorted(RULES))
                raise ValueError(f"{key!r} names no rule (known: {known})")
        return value

    def severity(self, rule: Rule) -> Severity:
        """The rule's severity in this project."""
        if rule.id in self.rules:
            return Severity(self.rules[rule.id])
        globs = [(len(key), value) for key, value in self.rules.items() if fnmatch.fnmatchcase(rule.id, key)]
        if globs:
            return Severity(max(globs)[1])
        return rule.severity

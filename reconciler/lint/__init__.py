"""Lint: review a desired schema (design rules) and a planned migration (change rules).

Stage: lint, beside drift (both are findings over catalogs and plans). `rules` holds the rules as
data, `design` one check per design rule, `change` the hazards of a plan as findings, `engine`
applies severities (reconciler.yaml `lint:`) and suppressions (`lint.ignore` in the YAML).
"""

from reconciler.lint.engine import LintInput, lint
from reconciler.lint.findings import API_VERSION, FORMAT_VERSION, KIND, Finding, LintReport
from reconciler.lint.rules import RULES, Rule, Severity
from reconciler.lint.settings import LintSettings

__all__ = [
    "API_VERSION",
    "FORMAT_VERSION",
    "KIND",
    "RULES",
    "Finding",
    "LintInput",
    "LintReport",
    "LintSettings",
    "Rule",
    "Severity",
    "lint",
]

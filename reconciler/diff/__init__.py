"""Diff: live catalog + desired catalog -> typed changes (see `changes`, `differ`), and the
registry of their kinds (`change_kinds()`), which the planner's rule table and drift's wording
are tested against (tests/unit/test_registry.py)."""

from reconciler.diff import code, grants, partitions, usertypes
from reconciler.diff.changes import Change, ColumnAlteration, kinds
from reconciler.diff.differ import diff

# Every module that defines change kinds is imported above, so the registry is complete.
_FAMILIES = (code, grants, partitions, usertypes)


def change_kinds() -> tuple[type[Change], ...]:
    """Every change kind, in the order the modules define them (see `changes`)."""
    return kinds()


__all__ = ["Change", "ColumnAlteration", "change_kinds", "diff"]

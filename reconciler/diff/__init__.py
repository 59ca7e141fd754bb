"""Diff: live catalog + desired catalog -> typed changes (see `changes`, `differ`)."""

from reconciler.diff.changes import Change, ColumnAlteration
from reconciler.diff.differ import diff

__all__ = ["Change", "ColumnAlteration", "diff"]

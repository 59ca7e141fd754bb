"""Pairing live and desired objects: by key, then by rename hint.

Stage: diff. One rule for every kind the differ compares, so a rename is recognized the same way
for tables, columns, enums, domains and the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def match(
    live: dict[K, T], desired: dict[K, T], renamed_from: Callable[[T], K | None]
) -> tuple[list[tuple[T, T, bool]], list[T], list[T]]:
    """Pair live and desired objects by key, then by rename hint. Returns (pairs, added, dropped);
    each pair says whether it is a rename."""
    pairs: list[tuple[T, T, bool]] = []
    added: list[T] = []
    used: set[K] = set()
    for key, wanted in desired.items():
        if key in live:
            pairs.append((live[key], wanted, False))
            used.add(key)
    for key, wanted in desired.items():
        if key in live:
            continue
        source = renamed_from(wanted)
        if source is not None and source in live and source not in used and source not in desired:
            pairs.append((live[source], wanted, True))
            used.add(source)
        else:
            added.append(wanted)
    dropped = [obj for key, obj in live.items() if key not in used]
    return pairs, added, dropped

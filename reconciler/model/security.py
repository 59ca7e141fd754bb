"""Row-level security of a table: whether it is enabled (and forced on the owner) and its
policies.

Stage: model. Held on `Table` (`row_level_security`, `policies`); policy expressions are SQL
text as written (desired) or as PostgreSQL prints them (live), compared after normalization.
Roles are role names; `public` stands for every role, as in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PolicyCommand = Literal["all", "select", "insert", "update", "delete"]


@dataclass(frozen=True, slots=True)
class RowLevelSecurity:
    enabled: bool = False
    forced: bool = False  # applies to the table's owner too


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    command: PolicyCommand = "all"
    permissive: bool = True  # False: RESTRICTIVE (ANDed with the permissive ones)
    roles: tuple[str, ...] = ("public",)  # sorted
    using: str | None = None  # rows visible / updatable / deletable
    with_check: str | None = None  # rows that may be written

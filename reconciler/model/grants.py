"""Privileges granted to roles on schemas, tables (and their columns) and sequences, and
default privileges for objects created later.

Stage: model. A privilege is held as an atom (grantee, privilege, column, grantable): one row
of an ACL, so equal grants compare equal however the YAML grouped them. Atoms of one object are
grouped under `ObjectGrants`, whose `target` names the object by kind and name, and for
functions and procedures also by identity arguments (`arguments`), so function grants can be
added without changing these types.

Scope of management: the desired side lists, per object, the roles it manages (every role its
YAML grants mention); only their privileges are granted or revoked. The live side holds every
grant on the objects in scope except the owner's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import total_ordering
from typing import Literal

# views and materialized views: read from the live side only (restored when re-created)
GrantKind = Literal["schema", "table", "sequence", "function", "procedure", "view", "materialized view"]
DefaultObjects = Literal["tables", "sequences", "functions", "types", "schemas"]

PRIVILEGES: dict[str, tuple[str, ...]] = {
    "schema": ("USAGE", "CREATE"),
    "table": ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"),
    "sequence": ("USAGE", "SELECT", "UPDATE"),
    "function": ("EXECUTE",),
    "procedure": ("EXECUTE",),
    "view": ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"),
    "materialized view": ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"),
}

COLUMN_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "REFERENCES")
DEFAULT_PRIVILEGES: dict[str, tuple[str, ...]] = {
    "tables": PRIVILEGES["table"],
    "sequences": PRIVILEGES["sequence"],
    "functions": ("EXECUTE",),
    "types": ("USAGE",),
}


@total_ordering
@dataclass(frozen=True, slots=True)
class GrantTarget:
    kind: GrantKind
    schema: str
    name: str  # for a schema: the schema's name again
    arguments: str | None = None  # functions and procedures: identity arguments, e.g. "integer, text"

    def __str__(self) -> str:
        shown = self.name if self.kind == "schema" else f"{self.schema}.{self.name}"
        return f"{self.kind} {shown}" + (f"({self.arguments})" if self.arguments is not None else "")

    def __lt__(self, other: GrantTarget) -> bool:  # None sorts first, never compared with a string
        return (self.kind, self.schema, self.name, self.arguments or "") < (
            other.kind,
            other.schema,
            other.name,
            other.arguments or "",
        )


@total_ordering
@dataclass(frozen=True, slots=True)
class Privilege:
    grantee: str  # a role name, or "public"
    privilege: str  # upper case, e.g. "SELECT"
    column: str | None = None  # column privileges of tables
    grantable: bool = False  # WITH GRANT OPTION

    def __lt__(self, other: Privilege) -> bool:  # a table privilege sorts before the same one on a column
        return (self.grantee, self.privilege, self.column or "", self.grantable) < (
            other.grantee,
            other.privilege,
            other.column or "",
            other.grantable,
        )


# What PostgreSQL grants on a new object besides its owner's own privileges (acldefault): a new
# function or procedure may be executed by PUBLIC; other kinds start with the owner's only.
DEFAULT_GRANTS: dict[str, tuple[Privilege, ...]] = {
    "function": (Privilege("public", "EXECUTE"),),
    "procedure": (Privilege("public", "EXECUTE"),),
}


@dataclass(frozen=True, slots=True)
class ObjectGrants:
    target: GrantTarget
    privileges: tuple[Privilege, ...] = ()  # sorted
    # desired side: roles whose privileges are managed here (live side: none). Says what to
    # compare, not what is: excluded from equality and from the content hash, like hints.
    managed_roles: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True, order=True)
class DefaultPrivilege:
    """GRANT privilege ON objects TO grantee, for objects created later (see DefaultPrivileges)."""

    objects: DefaultObjects
    grantee: str
    privilege: str
    grantable: bool = False


@dataclass(frozen=True, slots=True)
class DefaultPrivileges:
    """ALTER DEFAULT PRIVILEGES FOR ROLE for_role IN SCHEMA schema: every default privilege of
    objects `for_role` creates in `schema`. On the desired side, a (schema, for_role) pair the
    YAML mentions is managed as a whole."""

    schema: str
    for_role: str
    privileges: tuple[DefaultPrivilege, ...] = ()  # sorted

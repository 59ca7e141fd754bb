"""The registry of change kinds (`reconciler.diff.change_kinds()`): every kind has a planning
rule, a drift wording and a subject, and its declared object fields exist.

A sample of each kind is built from its field types, so a new kind is checked without editing
this file (unless it holds a model type `SAMPLES` does not know yet: the test says which).
"""

from __future__ import annotations

import dataclasses
import enum
import types
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest

from reconciler.diff import Change, change_kinds
from reconciler.diff.changes import TableChange
from reconciler.drift import findings
from reconciler.model import (
    CheckConstraint,
    Collation,
    Column,
    CompositeAttribute,
    CompositeType,
    Domain,
    EnumType,
    Extension,
    ForeignKey,
    Function,
    GrantTarget,
    Index,
    IndexElement,
    MaterializedView,
    Policy,
    PrimaryKey,
    Privilege,
    QualifiedName,
    Schema,
    Sequence,
    Table,
    Trigger,
    UniqueConstraint,
    View,
)
from reconciler.model.grants import DefaultPrivilege
from reconciler.model.partitions import PartitionBound, PartitionBy, PartitionKey, PartitionOf
from reconciler.plan.rules import RULES

LIVE_TABLE = Table("sales", "orders_old", columns=(Column("id", "integer"),))
DESIRED_TABLE = Table("app", "orders", columns=(Column("id", "bigint"),))

SAMPLES: dict[Any, object] = {
    str: "x",
    bool: True,
    Schema: Schema("app"),
    Extension: Extension("pgcrypto"),
    EnumType: EnumType("app", "status", ("new", "paid")),
    Sequence: Sequence("app", "ticket"),
    Table: DESIRED_TABLE,
    Column: Column("total", "integer"),
    PrimaryKey: PrimaryKey("orders_pkey", ("id",)),
    UniqueConstraint: UniqueConstraint("orders_code_key", ("code",)),
    CheckConstraint: CheckConstraint("orders_total_check", "total > 0"),
    ForeignKey: ForeignKey("orders_customer_fkey", ("customer",), QualifiedName("app", "customers"), ("id",)),
    Index: Index("orders_total_idx", (IndexElement(column="total"),)),
    Domain: Domain("app", "money", "numeric"),
    CompositeType: CompositeType("app", "address", (CompositeAttribute("street", "text"),)),
    Collation: Collation("app", "german", locale="de_DE"),
    Policy: Policy("own_rows", using="true"),
    Trigger: Trigger("audit", "after", ("insert",), QualifiedName("app", "audit")),
    Function: Function("app", "total", returns="integer", body="select 1"),
    View: View("app", "open_orders", "select 1"),
    MaterializedView: MaterializedView("app", "daily", "select 1"),
    GrantTarget: GrantTarget("table", "app", "orders"),
    Privilege: Privilege("reader", "SELECT"),
    DefaultPrivilege: DefaultPrivilege("tables", "reader", "SELECT"),
    PartitionBy: PartitionBy("range", (PartitionKey(column="day"),)),
    PartitionOf: PartitionOf(QualifiedName("app", "events"), PartitionBound(lower=("1",), upper=("2",))),
}


def sample(tp: Any) -> object:
    """A value of type `tp`: the first alternative of a union, one element of a collection."""
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        return sample(next(a for a in args if a is not type(None)))
    if origin is tuple:
        return (sample(args[0]),) if len(args) == 2 and args[1] is Ellipsis else tuple(sample(a) for a in args)
    if origin is frozenset:
        return frozenset({sample(args[0])})
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return next(iter(tp))
    if tp in SAMPLES:
        return SAMPLES[tp]
    raise LookupError(f"no sample of {tp}: add one to SAMPLES in {__name__}")


def sample_change(kind: type[Change]) -> Change:
    hints = get_type_hints(kind)
    values = {f.name: sample(hints[f.name]) for f in dataclasses.fields(kind)}
    if issubclass(kind, TableChange):
        values["live"] = LIVE_TABLE
    return kind(**values)


KINDS = change_kinds()


def test_the_registry_holds_every_change_kind() -> None:
    assert len(KINDS) == len(set(KINDS))
    assert {k.__name__ for k in KINDS} >= {"AddColumn", "AddFunction", "ChangeGrants", "AddPartition"}
    assert TableChange not in KINDS  # abstract


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_kind_has_a_planning_rule(kind: type[Change]) -> None:
    assert kind in RULES, f"{kind.__name__} has no planning rule in reconciler.plan.rules.RULES"


def test_every_rule_is_for_a_registered_kind() -> None:
    assert set(RULES) <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_kind_has_a_drift_wording(kind: type[Change]) -> None:
    change = sample_change(kind)
    key, status, detail = findings.top_level(change)  # raises for a kind drift does not know
    assert key.name
    if status == findings.Status.DIFFERENT:
        assert detail, f"{kind.__name__}: drift shows no detail"
    if isinstance(change, TableChange):
        assert detail != kind.__name__, f"{kind.__name__}: drift words it by its class name only"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_kind_declares_fields_it_has(kind: type[Change]) -> None:
    fields = {f.name for f in dataclasses.fields(kind)}
    for declared in (kind.live_field, kind.desired_field):
        assert declared is None or declared in fields, f"{kind.__name__} declares a field {declared} it lacks"
    assert sample_change(kind).subject  # every declared object can be named

"""The differ on catalogs built in memory: which typed changes two catalogs give, and nothing
more. (tests/test_*.py read the same kinds of catalogs from PostgreSQL.)"""

from __future__ import annotations

import dataclasses
from typing import Any

from reconciler.diff import ColumnAlteration, diff
from reconciler.diff import changes as c
from reconciler.diff import code as cc
from reconciler.diff import grants as gr
from reconciler.diff import partitions as dp
from reconciler.model import (
    CheckConstraint,
    EnumType,
    ForeignKey,
    GrantTarget,
    Index,
    IndexElement,
    ObjectGrants,
    PrimaryKey,
    Privilege,
    QualifiedName,
    Table,
    View,
)
from reconciler.model.partitions import PartitionBound, PartitionBy, PartitionKey, PartitionOf
from unit.catalogs import catalog, col, table

ORDERS = table(
    "orders",
    col("id", "bigint", null=False),
    col("customer_id", "bigint", null=False),
    col("total", "integer", null=False, default="0"),
    col("note", "text"),
    primary_key=PrimaryKey("orders_pkey", ("id",)),
)


def _with(t: Table, **changes: Any) -> Table:
    return dataclasses.replace(t, **changes)


def kinds(changes: list[c.Change]) -> list[str]:
    return sorted(f"{type(ch).__name__} {ch.subject}" for ch in changes)


def test_equal_catalogs_differ_in_nothing() -> None:
    assert diff(catalog(ORDERS), catalog(ORDERS)) == []


def test_a_hint_is_not_a_difference() -> None:
    hinted = _with(ORDERS, columns=(*ORDERS.columns[:3], col("note", "text", backfill="'x'")))
    assert diff(catalog(ORDERS), catalog(hinted)) == []


def test_added_and_dropped_columns() -> None:
    desired = _with(ORDERS, columns=(*ORDERS.columns[:3], col("placed_at", "timestamp with time zone")))
    changes = diff(catalog(ORDERS), catalog(desired))
    assert kinds(changes) == ["AddColumn public.orders.placed_at", "DropColumn public.orders.note"]
    added = next(ch for ch in changes if isinstance(ch, c.AddColumn))
    assert added.column.type == "timestamp with time zone"


def test_a_renamed_column_is_one_change_with_both_sides() -> None:
    desired = _with(ORDERS, columns=(*ORDERS.columns[:3], col("remark", "text", renamed_from="note")))
    [change] = diff(catalog(ORDERS), catalog(desired))
    assert isinstance(change, c.RenameColumn)
    assert (change.old.name, change.new.name, change.subject) == ("note", "remark", "public.orders.remark")


def test_a_type_change_says_what_else_changes() -> None:
    desired = _with(
        ORDERS, columns=(*ORDERS.columns[:2], col("total", "bigint", null=True, default="0"), ORDERS.columns[3])
    )
    [change] = diff(catalog(ORDERS), catalog(desired))
    assert isinstance(change, c.AlterColumn)
    assert change.kinds == {ColumnAlteration.TYPE, ColumnAlteration.NULLABILITY}
    assert (change.old.type, change.new.type) == ("integer", "bigint")


def test_indexes_added_dropped_and_redefined() -> None:
    live = _with(
        ORDERS,
        indexes=(
            Index("orders_total_idx", (IndexElement(column="total"),)),
            Index("orders_note_idx", (IndexElement(column="note"),)),
        ),
    )
    desired = _with(
        ORDERS,
        indexes=(
            Index("orders_total_idx", (IndexElement(column="total", order="desc"),)),
            Index("orders_customer_id_idx", (IndexElement(column="customer_id"),)),
        ),
    )
    assert kinds(diff(catalog(live), catalog(desired))) == [
        "AddIndex public.orders_customer_id_idx",
        "DropIndex public.orders_note_idx",
        "ReplaceIndex public.orders_total_idx",
    ]


def test_foreign_keys_and_checks_are_constraints() -> None:
    customers = table("customers", col("id", "bigint", null=False), primary_key=PrimaryKey("customers_pkey", ("id",)))
    fk = ForeignKey("orders_customer_id_fkey", ("customer_id",), QualifiedName("public", "customers"), ("id",))
    desired = _with(ORDERS, foreign_keys=(fk,), checks=(CheckConstraint("orders_total_check", "(total >= 0)"),))
    changes = diff(catalog(customers, ORDERS), catalog(customers, desired))
    assert kinds(changes) == [
        "AddConstraint public.orders.orders_customer_id_fkey",
        "AddConstraint public.orders.orders_total_check",
    ]
    assert {type(ch.constraint) for ch in changes if isinstance(ch, c.AddConstraint)} == {ForeignKey, CheckConstraint}


def test_a_not_valid_constraint_declared_valid_is_validated_not_replaced() -> None:
    check = CheckConstraint("orders_total_check", "(total >= 0)")
    live = _with(ORDERS, checks=(dataclasses.replace(check, not_valid=True),))
    [change] = diff(catalog(live), catalog(_with(ORDERS, checks=(check,))))
    assert isinstance(change, c.ValidateConstraint)


def test_enum_values_added_in_place_and_removed() -> None:
    live = EnumType("public", "status", ("new", "paid", "gone"))
    desired = EnumType("public", "status", ("draft", "new", "paid", "shipped"))
    [change] = diff(catalog(enums=(live,)), catalog(enums=(desired,)))
    assert isinstance(change, c.AlterEnum)
    assert change.added == (("draft", "new", True), ("shipped", "paid", False))
    assert change.removed == ("gone",)
    assert change.needs_type_swap


def test_a_renamed_table_carries_its_changes() -> None:
    desired = _with(ORDERS, name="purchases", renamed_from=QualifiedName("public", "orders"), comment="Paid orders.")
    changes = diff(catalog(ORDERS), catalog(desired))
    assert kinds(changes) == ["AlterTableComment public.purchases", "RenameTable public.purchases"]
    assert all(isinstance(ch, c.TableChange) and ch.live.name == "orders" for ch in changes)


def test_grants_compare_only_the_roles_the_yaml_names() -> None:
    target = GrantTarget("table", "public", "orders")
    live = ObjectGrants(target, (Privilege("app", "DELETE"), Privilege("app", "SELECT"), Privilege("bi", "SELECT")))
    desired = ObjectGrants(target, (Privilege("app", "INSERT"), Privilege("app", "SELECT")), managed_roles=("app",))
    [change] = diff(catalog(ORDERS, grants=(live,)), catalog(ORDERS, grants=(desired,)))
    assert isinstance(change, gr.ChangeGrants)
    assert (change.granted, change.revoked) == ((Privilege("app", "INSERT"),), (Privilege("app", "DELETE"),))


def test_views_are_added_or_replaced_never_dropped() -> None:
    view = View("public", "open_orders", "SELECT orders.id FROM orders")
    changed = dataclasses.replace(view, query="SELECT orders.id, orders.total FROM orders")
    assert kinds(diff(catalog(ORDERS), catalog(ORDERS, views=(view,)))) == ["AddView public.open_orders"]
    [replace] = diff(catalog(ORDERS, views=(view,)), catalog(ORDERS, views=(changed,)))
    assert isinstance(replace, cc.ReplaceView) and replace.definition_changed
    assert diff(catalog(ORDERS, views=(view,)), catalog(ORDERS)) == []  # unmanaged, not dropped
    assert cc.unmanaged(catalog(ORDERS, views=(view,)), catalog(ORDERS)) == [("view", "public", "open_orders")]


def test_partitions_get_their_own_kinds() -> None:
    parent = table(
        "events",
        col("id", "bigint", null=False),
        col("at", "date", null=False),
        partition_by=PartitionBy("range", (PartitionKey(column="at"),)),
    )

    def month(name: str, lower: str, upper: str) -> Table:
        bound = PartitionBound(lower=(lower,), upper=(upper,))
        return table(name, *parent.columns, partition_of=PartitionOf(parent.qname, bound))

    january, february = (
        month("events_01", "'2025-01-01'", "'2025-02-01'"),
        month("events_02", "'2025-02-01'", "'2025-03-01'"),
    )
    indexed = _with(parent, indexes=(Index("events_at_idx", (IndexElement(column="at"),)),))
    changes = diff(catalog(parent, january), catalog(indexed, january, february))
    assert kinds(changes) == ["AddPartition public.events_02", "AddPartitionedIndex public.events_at_idx"]
    assert {type(ch) for ch in changes} == {dp.AddPartition, dp.AddPartitionedIndex}

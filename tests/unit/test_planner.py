"""The planner on catalogs built in memory: the steps, their phases, hazards and locks, for the
changes the acceptance cases (tests/acceptance/cases) run against PostgreSQL. Where a case plans
the same migration, the step ids here are the ones its expected.yaml lists."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from reconciler.errors import PlanError
from reconciler.introspect.code import Dependency
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
    UniqueConstraint,
    View,
)
from reconciler.model.partitions import PartitionBound, PartitionBy, PartitionKey, PartitionOf
from reconciler.plan import Phase
from unit.catalogs import Planned, catalog, col, plan, table

CUSTOMERS = table(
    "customers",
    col("id", "bigint", null=False),
    col("email", "text", null=False),
    col("created_at", "timestamp with time zone", null=False, default="now()"),
    primary_key=PrimaryKey("customers_pkey", ("id",)),
)
ORDERS = table(
    "orders",
    col("id", "bigint", null=False),
    col("customer_id", "bigint", null=False),
    col("total", "integer", null=False),
    primary_key=PrimaryKey("orders_pkey", ("id",)),
)


def _with(t: Table, **changes: Any) -> Table:
    return dataclasses.replace(t, **changes)


def _plus(t: Table, *columns: Any) -> Table:
    return _with(t, columns=(*t.columns, *columns))


def _phases(planned: Planned) -> list[Phase]:
    return [s.phase for s in planned.steps]


def test_nothing_to_do_plans_nothing() -> None:
    assert plan(catalog(CUSTOMERS), catalog(CUSTOMERS)).steps == []


def test_a_nullable_column_is_one_catalog_only_step() -> None:  # case add-nullable-column
    planned = plan(catalog(CUSTOMERS), catalog(_plus(CUSTOMERS, col("nickname", "character varying(40)"))))
    assert planned.ids == ["expand/add-column/public.customers.nickname"]
    step = planned.steps[0]
    assert planned.hazards(step.id) == {"access-exclusive-lock"}
    assert planned.locks(step.id) == ["ACCESS EXCLUSIVE on public.customers"]
    assert step.transactional and step.reverse is not None


def test_a_constant_default_needs_no_backfill() -> None:  # case add-column-constant-default-not-null
    planned = plan(catalog(CUSTOMERS), catalog(_plus(CUSTOMERS, col("stock", "integer", null=False, default="0"))))
    assert planned.ids == ["expand/add-column/public.customers.stock"]


def test_a_not_null_column_is_backfilled_then_constrained_online() -> None:  # case add-not-null-column-with-backfill
    domain = col("domain", "text", null=False, backfill="split_part(email, '@', 2)")
    planned = plan(catalog(CUSTOMERS), catalog(_plus(CUSTOMERS, domain)))
    assert planned.ids == [
        "expand/add-column/public.customers.domain",
        "backfill/backfill/public.customers.domain",
        "contract/not-null-check/public.customers.domain",
        "contract/backfill/public.customers.domain",
        "contract/not-null-validate/public.customers.domain",
        "contract/set-not-null/public.customers.domain",
    ]
    assert _phases(planned) == [Phase.EXPAND, Phase.BACKFILL, *[Phase.CONTRACT] * 4]
    backfill = planned.step("backfill/backfill/public.customers.domain")
    assert backfill.backfill is not None and backfill.backfill.key == ("id",)
    assert planned.locks("contract/not-null-validate/public.customers.domain") == [
        "SHARE UPDATE EXCLUSIVE on public.customers"  # the scan lets reads and writes go on
    ]


def test_a_dropped_column_goes_last_with_its_index_and_check() -> None:  # case drop-column
    score = col("legacy_score", "integer")
    live = _with(
        _plus(CUSTOMERS, score),
        checks=(CheckConstraint("customers_score_chk", "(legacy_score >= 0)"),),
        indexes=(Index("customers_legacy_score_idx", (IndexElement(column="legacy_score"),)),),
    )
    planned = plan(catalog(live), catalog(CUSTOMERS))
    assert planned.ids == [
        "expand/drop-constraint/public.customers.customers_score_chk",
        "contract/drop-index/public.customers_legacy_score_idx",
        "contract/drop-column/public.customers.legacy_score",
    ]
    assert planned.hazards("contract/drop-column/public.customers.legacy_score") == {
        "access-exclusive-lock",
        "breaks-old-application",
        "deletes-data",
        "not-reversible",
    }
    drop_index = planned.step("contract/drop-index/public.customers_legacy_score_idx")
    assert not drop_index.transactional  # DROP INDEX CONCURRENTLY
    assert planned.locks(drop_index.id) == ["SHARE UPDATE EXCLUSIVE on public.customers"]


def test_a_renamed_column_is_swapped_with_its_index() -> None:  # case rename-column-used-by-index
    live = table(
        "shipments",
        col("id", "bigint", null=False),
        col("tracking_code", "text", null=False),
        primary_key=PrimaryKey("shipments_pkey", ("id",)),
        indexes=(Index("shipments_tracking_code_idx", (IndexElement(column="tracking_code"),)),),
    )
    desired = _with(
        live,
        columns=(live.columns[0], col("tracking_number", "text", null=False, renamed_from="tracking_code")),
        indexes=(
            Index(
                "shipments_tracking_number_idx",
                (IndexElement(column="tracking_number"),),
                renamed_from="shipments_tracking_code_idx",
            ),
        ),
    )
    planned = plan(catalog(live), catalog(desired))
    assert planned.ids == [
        "expand/add-column/public.shipments.tracking_number",
        "expand/sync-trigger/public.shipments.tracking_number",
        "expand/create-index/public.shipments_tracking_number_idx__rc_new",
        "backfill/backfill/public.shipments",
        "contract/not-null-check/public.shipments.tracking_number",
        "contract/not-null-validate/public.shipments.tracking_number",
        "contract/swap-columns/public.shipments",
    ]
    assert planned.hazards("contract/swap-columns/public.shipments") == {
        "access-exclusive-lock",
        "breaks-old-application",
        "not-reversible",
    }
    sync = planned.step("expand/sync-trigger/public.shipments.tracking_number")
    assert sync.after == ("expand/add-column/public.shipments.tracking_number",)
    assert planned.locks(sync.id) == ["SHARE ROW EXCLUSIVE on public.shipments"]


def test_a_type_change_that_rewrites_goes_through_a_new_column() -> None:  # case view-over-column-type-change
    desired = _with(ORDERS, columns=(*ORDERS.columns[:2], col("total", "bigint", null=False)))
    planned = plan(catalog(ORDERS), catalog(desired))
    assert planned.ids == [
        "expand/add-column/public.orders.total__new",
        "expand/sync-trigger/public.orders.total__new",
        "backfill/backfill/public.orders",
        "contract/not-null-check/public.orders.total",
        "contract/not-null-validate/public.orders.total",
        "contract/swap-columns/public.orders",
    ]
    # the cast may fail for values the old application writes meanwhile: said where it happens
    assert "may-fail" in planned.hazards("expand/sync-trigger/public.orders.total__new")


def test_views_over_a_swapped_column_are_dropped_and_recreated_in_dependency_order() -> None:
    paid = View("public", "paid_orders", "SELECT orders.id, orders.total FROM orders WHERE (orders.total > 0)")
    big = View("public", "big_orders", "SELECT paid_orders.id FROM paid_orders WHERE (paid_orders.total > 10000)")
    desired = _with(ORDERS, columns=(*ORDERS.columns[:2], col("total", "bigint", null=False)))
    reads = (  # what pg_depend says the live views read
        Dependency(("view", "public", "paid_orders"), ("table", "public", "orders"), "total"),
        Dependency(("view", "public", "big_orders"), ("view", "public", "paid_orders"), "total"),
    )
    planned = plan(catalog(ORDERS, views=(paid, big)), catalog(desired, views=(paid, big)), dependencies=reads)
    texts = [s.text() for s in planned.step("contract/swap-columns/public.orders").statements]
    order = [t.split(" AS ")[0] for t in texts if "VIEW" in t]
    assert order == [
        'DROP VIEW "public"."big_orders"',  # users first
        'DROP VIEW "public"."paid_orders"',
        'CREATE VIEW "public"."paid_orders"',
        'CREATE VIEW "public"."big_orders"',  # after what it selects from
    ]
    assert texts.index('DROP VIEW "public"."paid_orders"') < texts.index(
        'ALTER TABLE "public"."orders" DROP COLUMN "total"'
    )


def test_a_widened_varchar_is_altered_in_place() -> None:  # case widen-varchar-in-place
    live = _plus(CUSTOMERS, col("phone", "character varying(20)"))
    desired = _plus(CUSTOMERS, col("phone", "character varying(40)"))
    planned = plan(catalog(live), catalog(desired))
    assert planned.ids == ["expand/alter-column-type/public.customers.phone"]
    assert planned.hazards(planned.ids[0]) == {"access-exclusive-lock"}


def test_an_index_is_built_concurrently() -> None:  # case add-index-concurrently
    desired = _with(ORDERS, indexes=(Index("orders_customer_id_idx", (IndexElement(column="customer_id"),)),))
    planned = plan(catalog(ORDERS), catalog(desired))
    [step] = planned.steps
    assert step.id == "expand/create-index/public.orders_customer_id_idx"
    assert not step.transactional and step.builds_index == QualifiedName("public", "orders_customer_id_idx")
    assert planned.hazards(step.id) == {"index-build"}
    assert planned.locks(step.id) == ["SHARE UPDATE EXCLUSIVE on public.orders"]
    assert "CONCURRENTLY" in step.statements[0].text()


def test_an_index_on_an_empty_table_is_built_the_same_way() -> None:
    desired = _with(ORDERS, indexes=(Index("orders_customer_id_idx", (IndexElement(column="customer_id"),)),))
    planned = plan(catalog(ORDERS), catalog(desired), empty=("public.orders",))
    assert planned.ids == ["expand/create-index/public.orders_customer_id_idx"]


def test_a_foreign_key_is_added_not_valid_then_validated() -> None:  # case add-foreign-key-on-delete-cascade-populated
    fk = ForeignKey("orders_customer_id_fkey", ("customer_id",), CUSTOMERS.qname, ("id",), on_delete="cascade")
    planned = plan(catalog(CUSTOMERS, ORDERS), catalog(CUSTOMERS, _with(ORDERS, foreign_keys=(fk,))))
    add, validate = (
        "expand/add-constraint/public.orders.orders_customer_id_fkey",
        "expand/validate/public.orders.orders_customer_id_fkey",
    )
    assert planned.ids == [add, validate]
    assert "NOT VALID" in planned.step(add).statements[0].text()
    assert planned.locks(add) == ["SHARE ROW EXCLUSIVE on public.orders", "SHARE ROW EXCLUSIVE on public.customers"]
    assert planned.locks(validate) == ["SHARE UPDATE EXCLUSIVE on public.orders", "ROW SHARE on public.customers"]
    assert planned.hazards(validate) == {"long-running", "may-fail"}
    assert planned.step(validate).after == (add,)


def test_a_check_is_added_not_valid_then_validated() -> None:  # case add-check-constraint-populated
    check = CheckConstraint("orders_total_positive", "(total > 0)")
    planned = plan(catalog(ORDERS), catalog(_with(ORDERS, checks=(check,))))
    assert planned.ids == [
        "expand/add-constraint/public.orders.orders_total_positive",
        "expand/validate/public.orders.orders_total_positive",
    ]
    assert planned.hazards(planned.ids[0]) == {"access-exclusive-lock", "breaks-old-application"}


def test_enum_values_are_added_one_after_the_other() -> None:  # case enum-value-added-only
    live = EnumType("public", "order_status", ("pending", "paid", "shipped"))
    desired = EnumType("public", "order_status", ("draft", "pending", "paid", "in_transit", "shipped", "delivered"))
    planned = plan(catalog(enums=(live,)), catalog(enums=(desired,)))
    assert planned.ids == [
        "expand/add-enum-value/public.order_status.draft",
        "expand/add-enum-value/public.order_status.in_transit",
        "expand/add-enum-value/public.order_status.delivered",
    ]
    assert [s.after for s in planned.steps[1:]] == [(planned.ids[0],), (planned.ids[1],)]
    assert all(planned.hazards(i) == {"not-reversible"} for i in planned.ids)


def test_a_removed_enum_value_replaces_the_type_in_contract() -> None:  # case enum-value-added-and-removed
    live = EnumType("public", "order_status", ("pending", "on_hold", "paid"))
    desired = EnumType("public", "order_status", ("pending", "paid"))
    orders = _plus(ORDERS, col("status", "public.order_status", null=False))  # as format_type prints it
    planned = plan(catalog(orders, enums=(live,)), catalog(orders, enums=(desired,)))
    assert planned.ids == ["expand/create-enum/public.order_status__new", "contract/replace-enum/public.order_status"]
    assert {"may-fail", "breaks-old-application", "not-reversible", "table-rewrite"} <= planned.hazards(planned.ids[1])
    assert planned.locks(planned.ids[1]) == ["ACCESS EXCLUSIVE on public.orders"]


def test_revoked_privileges_are_revoked_in_contract() -> None:  # case grant-revoked
    target = GrantTarget("table", "public", "orders")
    live = ObjectGrants(target, (Privilege("app", "DELETE"), Privilege("app", "SELECT")))
    desired = ObjectGrants(target, (Privilege("app", "SELECT"),), managed_roles=("app",))
    planned = plan(catalog(ORDERS, grants=(live,)), catalog(ORDERS, grants=(desired,)))
    assert planned.ids == ["contract/revoke-table/public.orders"]
    assert planned.hazards(planned.ids[0]) == {"breaks-old-application"}
    assert planned.steps[0].statements[0].text() == 'REVOKE DELETE ON TABLE "public"."orders" FROM "app"'


def test_granted_privileges_are_granted_in_expand() -> None:
    target = GrantTarget("table", "public", "orders")
    desired = ObjectGrants(target, (Privilege("app", "SELECT"),), managed_roles=("app",))
    planned = plan(catalog(ORDERS), catalog(ORDERS, grants=(desired,)))
    assert planned.ids == ["expand/grant-table/public.orders"]


def test_a_partition_is_attached_after_its_bounds_are_validated() -> None:  # case partition-added-to-populated-table
    parent = table(
        "measurements",
        col("id", "bigint", null=False),
        col("at", "date", null=False),
        partition_by=PartitionBy("range", (PartitionKey(column="at"),)),
    )

    def month(name: str, lower: str, upper: str) -> Table:
        bound = PartitionBound(lower=(lower,), upper=(upper,))
        return table(name, *parent.columns, partition_of=PartitionOf(parent.qname, bound))

    january = month("measurements_2025_01", "'2025-01-01'", "'2025-02-01'")
    february = month("measurements_2025_02", "'2025-02-01'", "'2025-03-01'")
    planned = plan(catalog(parent, january), catalog(parent, january, february))
    assert planned.ids == [
        "expand/create-partition-table/public.measurements_2025_02",
        "expand/validate-partition-check/public.measurements_2025_02",
        "expand/attach-partition/public.measurements_2025_02",
    ]
    assert planned.locks("expand/create-partition-table/public.measurements_2025_02") == [
        "ACCESS SHARE on public.measurements"
    ]
    assert planned.locks("expand/attach-partition/public.measurements_2025_02") == [
        "SHARE UPDATE EXCLUSIVE on public.measurements",  # ATTACH PARTITION: reads and writes of the parent go on
        "ACCESS EXCLUSIVE on public.measurements_2025_02",
    ]


def test_changing_the_partition_key_is_refused() -> None:
    parent = table("events", col("id", "bigint", null=False), partition_by=PartitionBy("hash", (PartitionKey("id"),)))
    plain = _with(parent, partition_by=None)
    with pytest.raises(PlanError, match="has no online form"):
        plan(catalog(parent), catalog(plain))


def test_a_dropped_table_is_dropped_in_contract() -> None:  # case drop-table
    planned = plan(catalog(CUSTOMERS, ORDERS), catalog(CUSTOMERS))
    assert planned.ids == ["contract/drop-table/public.orders"]
    assert {"deletes-data", "breaks-old-application", "not-reversible"} <= planned.hazards(planned.ids[0])


def test_a_renamed_table_keeps_a_compatibility_view_until_contract() -> None:  # case rename-table
    desired = _with(CUSTOMERS, name="clients", renamed_from=CUSTOMERS.qname)
    planned = plan(catalog(CUSTOMERS), catalog(desired))
    assert planned.ids == ["expand/compat-view/public.clients", "contract/rename-table/public.clients"]
    assert planned.locks("contract/rename-table/public.clients") == ["ACCESS EXCLUSIVE on public.customers"]


def test_new_tables_are_created_before_the_foreign_keys_between_them() -> None:  # case create-tables-with-foreign-keys
    invoices = table(
        "invoices",
        col("id", "bigint", null=False),
        col("customer_id", "bigint", null=False),
        primary_key=PrimaryKey("invoices_pkey", ("id",)),
        foreign_keys=(ForeignKey("invoices_customer_id_fkey", ("customer_id",), CUSTOMERS.qname, ("id",)),),
    )
    planned = plan(catalog(CUSTOMERS), catalog(CUSTOMERS, invoices))
    assert planned.ids == [
        "expand/create-table/public.invoices",
        "expand/add-foreign-key/public.invoices.invoices_customer_id_fkey",
    ]
    # a new table is empty: nothing to validate; the live referenced table is locked for an instant
    assert planned.hazards(planned.ids[1]) == {"access-exclusive-lock"}
    assert planned.locks(planned.ids[1]) == [
        "SHARE ROW EXCLUSIVE on public.invoices",
        "SHARE ROW EXCLUSIVE on public.customers",
    ]


def test_every_step_names_the_change_it_came_from() -> None:
    desired = _with(_plus(ORDERS, col("note", "text")), indexes=(Index("orders_total_idx", (IndexElement("total"),)),))
    planned = plan(catalog(ORDERS), catalog(desired))
    assert sorted(s.change for s in planned.steps) == [
        "AddColumn public.orders.note",
        "AddIndex public.orders_total_idx",
    ]


def test_a_foreign_key_over_a_swapped_key_is_recreated_around_the_swap() -> None:
    # case rename-column-referenced-by-foreign-key: the key's rename and the foreign key's
    # changes are not planned on their own, the swap and the recreation plan them
    warehouses = table(
        "warehouses",
        col("id", "bigint", null=False),
        col("code", "text", null=False),
        primary_key=PrimaryKey("warehouses_pkey", ("id",)),
        uniques=(UniqueConstraint("warehouses_code_key", ("code",)),),
    )
    moves = table(
        "stock_moves",
        col("id", "bigint", null=False),
        col("warehouse_code", "text", null=False),
        primary_key=PrimaryKey("stock_moves_pkey", ("id",)),
        foreign_keys=(ForeignKey("stock_moves_warehouse_code_fkey", ("warehouse_code",), warehouses.qname, ("code",)),),
    )
    renamed = _with(
        warehouses,
        columns=(warehouses.columns[0], col("site_code", "text", null=False, renamed_from="code")),
        uniques=(UniqueConstraint("warehouses_site_code_key", ("site_code",), renamed_from="warehouses_code_key"),),
    )
    fk = ForeignKey("stock_moves_warehouse_code_fkey", ("warehouse_code",), warehouses.qname, ("site_code",))
    planned = plan(catalog(warehouses, moves), catalog(renamed, _with(moves, foreign_keys=(fk,))))
    assert sorted(planned.kinds()) == [
        "RenameColumn public.warehouses.site_code",
        "RenameConstraint public.warehouses.warehouses_site_code_key",
        "ReplaceConstraint public.stock_moves.stock_moves_warehouse_code_fkey",
    ]
    assert planned.ids == [
        "expand/add-column/public.warehouses.site_code",
        "expand/sync-trigger/public.warehouses.site_code",
        "expand/create-index/public.warehouses_site_code_key__rc_new",
        "backfill/backfill/public.warehouses",
        "contract/not-null-check/public.warehouses.site_code",
        "contract/not-null-validate/public.warehouses.site_code",
        "contract/add-constraint/public.stock_moves.stock_moves_warehouse_code_fkey",
        "contract/validate/public.stock_moves.stock_moves_warehouse_code_fkey",
        "contract/drop-foreign-key/public.stock_moves.stock_moves_warehouse_code_fkey",
        "contract/swap-columns/public.warehouses",
        "contract/rename-constraint/public.stock_moves.stock_moves_warehouse_code_fkey",
    ]

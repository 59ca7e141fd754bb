"""Lint rules over schemas written as YAML: each design rule finds what it should and nothing
else, severities follow reconciler.yaml's `lint:` section, and every hazard code of the planner
has a change rule. (The CLI, suppressions in YAML and the database-backed rules are tested in
test_lint_cli.py.)"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from reconciler.lint import RULES, LintInput, LintSettings, Severity, lint
from reconciler.lint.design import CHECKS
from reconciler.lint.rules import CHANGE_RULES, DESIGN_RULES
from reconciler.lint.sqltypes import type_name
from reconciler.load import load_paths
from reconciler.plan.steps import HazardCode

HEADER = "apiVersion: reconciler.dev/v1alpha1\n"


def table(name: str, body: str, schema: str = "public") -> str:
    spec = textwrap.indent(textwrap.dedent(body).strip(), "  ")
    return (
        f"{HEADER}kind: Table\nmetadata: {{name: {name.replace('_', '-').lower()}}}\nspec:\n  name: {name}\n  schema: "
        f"{schema}\n{spec}\n"
    )


def findings(tmp_path: Path, *documents: str, settings: LintSettings | None = None) -> list[tuple[str, str]]:
    """(rule id, object) of every finding, for a schema made of `documents`."""
    (tmp_path / "schema.yaml").write_text("---\n".join(documents))
    loaded = load_paths([tmp_path])
    report = lint(
        LintInput(loaded.catalog, settings=settings or LintSettings(rules={"design/table-without-comment": "off"}))
    )
    return [(f.rule.id, str(f.subject)) for f in report.findings]


def test_every_design_rule_has_one_check_and_every_hazard_a_change_rule() -> None:
    assert set(CHECKS) == {rule.id for rule in DESIGN_RULES}
    assert {rule.id for rule in CHANGE_RULES} == {f"change/{code.value}" for code in HazardCode}
    assert all(rule.id.startswith(("design/", "change/")) and rule.why and rule.fix for rule in RULES.values())


def test_docs_describe_every_rule_with_its_default() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "lint.md").read_text()
    for rule in RULES.values():
        section = docs.split(f"\n### {rule.id}\n", 1)
        assert len(section) == 2, f"docs/lint.md has no section for {rule.id}"
        assert f"Default: `{rule.severity.value}`." in section[1].split("\n### ", 1)[0]
        assert f"[`{rule.id}`](#{rule.anchor})" in docs


def test_table_without_primary_key(tmp_path: Path) -> None:
    doc = table(
        "events",
        "columns: [{name: id, type: bigint, nullable: false}, {name: at, type: timestamptz}]\nuniques: [{columns: "
        "[id]}]",
    )
    assert findings(tmp_path, doc) == [("design/table-without-primary-key", "table public.events")]


def test_foreign_key_needs_an_index_starting_with_its_columns(tmp_path: Path) -> None:
    parent = table("users", "columns: [{name: id, type: bigint}]\nprimaryKey: [id]")
    unindexed = table(
        "orders",
        """
        columns: [{name: id, type: bigint}, {name: user_id, type: bigint}]
        primaryKey: [id]
        foreignKeys: [{columns: [user_id], references: {table: users}}]
        indexes: [{columns: [id, user_id]}]
    """,
    )  # an index where user_id is not the leading column does not serve the lookup
    covered_by_key = table(
        "memberships",
        """
        columns: [{name: user_id, type: bigint}, {name: team, type: text}]
        primaryKey: [user_id, team]
        foreignKeys: [{columns: [user_id], references: {table: users}}]
    """,
    )
    partial = table(
        "notes",
        """
        columns: [{name: id, type: bigint}, {name: user_id, type: bigint}]
        primaryKey: [id]
        foreignKeys: [{columns: [user_id], references: {table: users}}]
        indexes: [{columns: [user_id], where: user_id IS NOT NULL}]
    """,
    )
    assert findings(tmp_path, parent, unindexed, covered_by_key, partial) == [
        ("design/foreign-key-without-index", "constraint public.notes.notes_user_id_fkey"),
        ("design/foreign-key-without-index", "constraint public.orders.orders_user_id_fkey"),
    ]


def test_type_rules_on_columns_domains_and_composite_attributes(tmp_path: Path) -> None:
    doc = table(
        "payments",
        """
        columns:
          - {name: id, type: bigint, identity: always}
          - {name: paid_at, type: timestamp(3) without time zone}
          - {name: booked_at, type: timestamptz}
          - {name: code, type: character(3)}
          - {name: label, type: varchar(40)}
          - {name: free_text, type: varchar}
          - {name: fee, type: money}
          - {name: total_amount, type: double precision}
          - {name: weight, type: real}
          - {name: refunded, type: boolean}
          - {name: archived, type: bool, nullable: false, default: false}
          - {name: price, type: cents}
        primaryKey: [id]
    """,
    )
    domain = f"{HEADER}kind: Domain\nmetadata: {{name: cents}}\nspec: {{type: 'timestamp'}}\n"
    composite = (
        f"{HEADER}kind: CompositeType\nmetadata: {{name: span}}\nspec: {{attributes: [{{name: since, type: "
        f"timestamp}}]}}\n"
    )
    assert sorted(findings(tmp_path, doc, domain, composite)) == [
        ("design/char-or-varchar", "column public.payments.code"),
        ("design/char-or-varchar", "column public.payments.label"),
        ("design/float-for-amount", "column public.payments.total_amount"),
        ("design/money-type", "column public.payments.fee"),
        ("design/nullable-boolean", "column public.payments.refunded"),
        ("design/timestamp-without-time-zone", "attribute public.span.since"),
        ("design/timestamp-without-time-zone", "column public.payments.paid_at"),
        ("design/timestamp-without-time-zone", "domain public.cents"),  # once, on the domain, not on `price`
    ]


def test_serial_columns_in_both_spellings(tmp_path: Path) -> None:
    spelled = table("a", "columns: [{name: id, type: bigserial}]\nprimaryKey: [id]")
    exported = table(
        "b", "columns: [{name: id, type: integer, default: \"nextval('b_id_seq'::regclass)\"}]\nprimaryKey: [id]"
    )
    sequence = (
        f"{HEADER}kind: Sequence\nmetadata: {{name: b-id-seq}}\nspec: {{name: b_id_seq, type: integer, ownedBy: "
        f"{{table: b, column: id}}}}\n"
    )
    standalone = f"{HEADER}kind: Sequence\nmetadata: {{name: invoice-seq}}\nspec: {{name: invoice_seq}}\n"
    invoices = table("c", "columns: [{name: id, type: bigint, default: \"nextval('invoice_seq')\"}]\nprimaryKey: [id]")
    assert findings(tmp_path, spelled, exported, sequence, standalone, invoices) == [
        ("design/serial-column", "column public.a.id"),
        ("design/serial-column", "column public.b.id"),
    ]


def test_duplicate_and_redundant_indexes(tmp_path: Path) -> None:
    doc = table(
        "items",
        """
        columns:
          - {name: id, type: bigint}
          - {name: sku, type: text}
          - {name: shop, type: bigint}
          - {name: at, type: timestamptz}
        primaryKey: [id]
        uniques: [{columns: [sku]}]
        indexes:
          - {name: items_id_copy, columns: [id]}
          - {name: items_sku_unique, columns: [sku], unique: true}
          - {name: items_shop_at, columns: [shop, at]}
          - {name: items_shop, columns: [shop]}
          - {name: items_shop_desc, columns: [{column: shop, order: desc}]}
          - {name: items_shop_recent, columns: [shop], where: at > '2020-01-01'}
          - {name: items_at_gin, columns: [at], method: brin}
    """,
    )
    assert findings(tmp_path, doc) == [
        ("design/duplicate-index", "index public.items.items_id_copy"),
        ("design/duplicate-index", "index public.items.items_sku_unique"),
        ("design/redundant-index", "index public.items.items_shop"),
    ]


def test_integer_key_near_limit_from_the_declared_start(tmp_path: Path) -> None:
    near = table("a", "columns: [{name: id, type: integer, identity: {start: 2000000000}}]\nprimaryKey: [id]")
    far = table("b", "columns: [{name: id, type: bigint, identity: {start: 2000000000}}]\nprimaryKey: [id]")
    assert findings(tmp_path, near, far) == [("design/integer-key-near-limit", "column public.a.id")]


def test_naming_patterns_with_the_table_placeholder(tmp_path: Path) -> None:
    doc = table(
        "Orders",
        """
        columns: [{name: id, type: bigint}, {name: CustomerId, type: bigint}]
        primaryKey: [id]
        indexes: [{name: by_customer, columns: [CustomerId]}, {name: Orders_id_customer_idx, columns: [id, CustomerId]}]
    """,
    )
    naming = {"table": "[a-z_]+", "column": "[a-z_]+", "index": "{table}_[a-z_]+_idx"}
    settings = LintSettings.model_validate({"naming": naming, "rules": {"design/redundant-index": "off"}})
    assert findings(tmp_path, doc, settings=settings) == [
        ("design/naming-convention", "column public.Orders.CustomerId"),
        ("design/naming-convention", "index public.Orders.by_customer"),
        ("design/naming-convention", "table public.Orders"),
    ]


def test_severities_from_settings_exact_ids_win_over_globs(tmp_path: Path) -> None:
    settings = LintSettings.model_validate(
        {"rules": {"change/*": "error", "change/long-running": "warning", "design/*": "off"}}
    )
    assert settings.severity(RULES["change/table-rewrite"]) == Severity.ERROR
    assert settings.severity(RULES["change/long-running"]) == Severity.WARNING
    assert settings.severity(RULES["design/money-type"]) == Severity.OFF
    doc = table("t", "columns: [{name: fee, type: money}]")
    assert findings(tmp_path, doc, settings=settings) == []


def test_severities_that_name_no_rule_are_refused() -> None:
    with pytest.raises(ValidationError, match="names no rule"):
        LintSettings.model_validate({"rules": {"design/no-such-rule": "error"}})
    with pytest.raises(ValidationError):
        LintSettings.model_validate({"rules": {"design/money-type": "fatal"}})
    with pytest.raises(ValidationError, match="regular expression"):
        LintSettings.model_validate({"naming": {"table": "(unclosed"}})


def test_the_example_schema_has_no_errors() -> None:
    loaded = load_paths([Path(__file__).resolve().parent.parent / "schemas" / "shop"])
    assert lint(LintInput(loaded.catalog)).passed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TIMESTAMP(3)", "timestamp(3)"),
        ("timestamp without time zone", "timestamp"),
        ("timestamp with time zone", "timestamptz"),
        ("character varying(10)", "varchar(10)"),
        ("character", "char(1)"),
        ("int4[]", "integer[]"),
        ("float", "double precision"),
        ("shop.amount", "shop.amount"),
    ],
)
def test_type_names_as_a_reviewer_reads_them(text: str, expected: str) -> None:
    assert str(type_name(text)) == expected

"""The lint rules as data: a stable id, a family, a default severity, and the words a reviewer
would use (what, why, how to fix). Renderers, the docs and CI integrations read them from here.

Stage: lint. Two families:
- `design/...`: practices a database architect reviews a schema for, judged from the desired
  schema alone (one check function per rule in `lint.design`);
- `change/...`: one rule per hazard code of the planner (`plan.steps.HazardCode`), so a team can
  make any hazard of a migration an error in CI. They are built from the hazard codes, so a new
  hazard code without words here fails at import (and in the tests).

Ids never change once released: configuration files and suppressions in YAML name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from reconciler.plan.steps import HazardCode

Family = Literal["design", "change"]
DOCS = "docs/lint.md"


class Severity(StrEnum):
    ERROR = "error"  # `reconciler lint` exits 1
    WARNING = "warning"  # shown, does not fail
    OFF = "off"  # not checked, not shown

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "off": 0}[self.value]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # "design/table-without-primary-key", "change/table-rewrite"
    title: str  # one line: what the rule finds
    severity: Severity  # the default; reconciler.yaml `lint.rules` overrides it
    why: str  # why it matters
    fix: str  # what to do about it
    needs_database: bool = False  # only judged with --url / --env (live facts or a plan)

    @property
    def family(self) -> Family:
        return "design" if self.id.startswith("design/") else "change"

    @property
    def anchor(self) -> str:
        """The heading id GitHub gives the rule's section in docs/lint.md (`### design/x`)."""
        return self.id.replace("/", "")

    @property
    def docs(self) -> str:
        return f"{DOCS}#{self.anchor}"


E, W, OFF = Severity.ERROR, Severity.WARNING, Severity.OFF

DESIGN_RULES: tuple[Rule, ...] = (
    Rule(
        "design/table-without-primary-key",
        "table without a primary key",
        E,
        "Rows cannot be addressed one by one: logical replication cannot replicate their UPDATE and DELETE, "
        "backfills cannot page through the table, and duplicates creep in unnoticed.",
        "Add `primaryKey` (an identity column `id bigint` when nothing natural exists).",
    ),
    Rule(
        "design/foreign-key-without-index",
        "foreign key without a covering index",
        W,
        "Deleting or updating a referenced row looks up the referencing rows: without an index whose "
        "leading columns are the foreign key's, every such statement scans the whole referencing table "
        "(while holding its locks), and joins along the key cannot use an index.",
        "Add an index whose first columns are the foreign key's columns (a primary key or unique "
        "constraint starting with them also serves).",
    ),
    Rule(
        "design/timestamp-without-time-zone",
        "`timestamp` without time zone",
        W,
        "A `timestamp` stores a wall-clock reading without saying where: the same instant is written "
        "differently by sessions in different time zones, and daylight-saving changes make values "
        "ambiguous. `timestamptz` stores the instant (and takes the same 8 bytes).",
        "Use `timestamptz`. When changing an existing column, write `using: \"col AT TIME ZONE 'UTC'\"` "
        "(with the zone the values were written in) so the conversion does not depend on the session.",
    ),
    Rule(
        "design/char-or-varchar",
        "`char(n)` or `varchar(n)` where `text` with a check serves",
        W,
        "`char(n)` pads with blanks that comparisons then ignore or not, depending on the operator. "
        "`varchar(n)` stores exactly as `text` does, but its limit lives in the type: lowering it later is a "
        "type change (a table rewrite), and the limit cannot say anything but a length.",
        "Use `text` and a check such as `char_length(code) <= 8` (a check can be changed online: NOT VALID, "
        "then VALIDATE).",
    ),
    Rule(
        "design/serial-column",
        "`serial` where an identity column serves",
        W,
        "`serial` is a default calling `nextval` on a separately owned sequence: privileges on the "
        "sequence must be granted apart, `CREATE TABLE ... LIKE` copies the default but not the "
        "sequence, and nothing stops explicit values from colliding with it later.",
        "Declare `identity: always` (or `by default`) on an integer column instead.",
    ),
    Rule(
        "design/money-type",
        "the `money` type",
        W,
        "`money` depends on the `lc_monetary` setting for its input, output and fraction digits: a "
        "dump restored under another locale changes the values, and it holds no currency.",
        "Use `numeric(p, s)` (or an integer number of minor units), with the currency in its own column.",
    ),
    Rule(
        "design/float-for-amount",
        "floating point for an amount of money",
        W,
        "`real` and `double precision` are binary fractions: 0.1 + 0.2 is not 0.3, sums drift, and "
        "equality on amounts fails. The rule looks at columns whose names look like amounts "
        "(`lint.amountPattern`).",
        "Use `numeric(p, s)` or an integer number of minor units (cents).",
    ),
    Rule(
        "design/integer-key-near-limit",
        "integer key near the end of its range",
        E,
        "When the sequence behind a key column reaches the type's maximum, every insert fails. "
        "Widening an `integer` key of a large table to `bigint` takes a column swap with a backfill: "
        "start long before the end. From the YAML alone the rule sees a declared start value; with "
        "`--url` it reads how far the live sequence has counted.",
        "Change the column to `bigint` (the plan swaps it online) well before the limit "
        "(`lint.keyLimitRatio` of the range, default a half).",
    ),
    Rule(
        "design/nullable-boolean",
        "nullable boolean",
        W,
        "A nullable boolean has three values: `WHERE NOT flag` silently skips the NULL rows, and the "
        "application must decide what NULL means each time it reads one.",
        "Declare `nullable: false` with a `default`, or use an enum when a third state is real.",
    ),
    Rule(
        "design/duplicate-index",
        "duplicate index",
        E,
        "Two indexes with the same definition (or an index repeating a primary key or unique "
        "constraint) double the write cost and the disk for nothing: the planner uses only one.",
        "Remove the duplicate (keep the constraint when one of them is a constraint).",
    ),
    Rule(
        "design/redundant-index",
        "index made redundant by another",
        W,
        "A b-tree index whose columns are the leading columns of another b-tree index (with the same "
        "predicate) serves no query the other does not: it only costs writes and disk.",
        "Remove it, unless it is much smaller and a hot query needs exactly it (then suppress the finding "
        "with that reason).",
    ),
    Rule(
        "design/table-without-comment",
        "table without a comment",
        OFF,
        "A comment is where the next reader learns what a row is; it is shown by `\\d+` and by every schema browser.",
        "Add `comment` to the table.",
    ),
    Rule(
        "design/naming-convention",
        "name not matching the configured pattern",
        W,
        "Consistent names make a schema predictable to query. Patterns are set per kind of object in "
        "reconciler.yaml (`lint.naming`); without them this rule finds nothing.",
        "Rename the object (with `renamedFrom`, so the plan renames instead of dropping), or adjust the pattern.",
    ),
)

# Words for each hazard code of the planner: (title, default severity, why, fix). Keyed by the
# code's value so that the registry below fails loudly when the planner gains a code.
_HAZARDS: dict[str, tuple[str, Severity, str, str]] = {
    "deletes-data": (
        "a step deletes data",
        W,
        "Rows or values are dropped. The apply gate always waits for an approval of the plan's digest "
        "and a backup runs first, but a review should see it before the merge.",
        "Make sure the data is no longer needed (or moved first); add `renamedFrom` if it is a rename.",
    ),
    "table-rewrite": (
        "a step rewrites a table",
        W,
        "The table is rewritten under ACCESS EXCLUSIVE: neither reads nor writes get through until it "
        "is done, for as long as writing the whole table takes.",
        "Look for the online form the plan proposes (a `using` expression, a different type); if the "
        "table is small, suppress the finding on the object with that reason.",
    ),
    "access-exclusive-lock": (
        "a step takes ACCESS EXCLUSIVE",
        OFF,
        "The step holds ACCESS EXCLUSIVE (or a lock blocking writes), usually for milliseconds within "
        "`lockTimeout`; queries queue behind it while it waits for the lock.",
        "Usually nothing; keep `lockTimeout` short so the step backs off instead of queueing traffic.",
    ),
    "blocking-scan": (
        "a step scans while blocking traffic",
        W,
        "A scan or an index rebuild runs while holding a lock that blocks writes (or reads): the "
        "application waits for the length of the scan.",
        "Use the online form the plan names in the hazard's remedy, or schedule the change.",
    ),
    "index-build": (
        "a step builds an index concurrently",
        OFF,
        "`CREATE INDEX CONCURRENTLY` scans the table twice; traffic continues, but it takes time and I/O.",
        "Nothing to do on small tables; on large ones, apply outside peak hours.",
    ),
    "breaks-old-application": (
        "a step breaks the old application version",
        W,
        "From this step on, the application version deployed before this change stops working "
        "(dropped or renamed objects, revoked privileges, new NOT NULLs).",
        "Deploy the new application version before the contract phase runs.",
    ),
    "not-reversible": (
        "a step cannot be reversed",
        W,
        "There is no way back without the backup taken before the step.",
        "Make sure the backup hook is configured and the change is intended.",
    ),
    "possible-rename": (
        "a dropped and an added column may be a rename",
        E,
        "A column is dropped and another of the same type added: if it was meant as a rename, the "
        "data of the dropped column is lost.",
        "Add `renamedFrom: <old name>` to the new column, or suppress the finding with a reason if the "
        "two are unrelated.",
    ),
    "may-fail": (
        "a step can fail on existing data",
        W,
        "The step fails on some data (duplicates, NULLs, values that do not convert, rows violating a "
        "new check); the plan stops there and resumes once the data is fixed.",
        "Check the data first, or give a `backfill` or `using` expression.",
    ),
    "long-running": (
        "a step runs for a long time",
        OFF,
        "Scans, backfills and sync triggers take time (not locks); the apply runs for longer.",
        "Nothing to do; `reconciler history` and the progress output show how far it is.",
    ),
    "timezone-dependent": (
        "a conversion depends on the session's TimeZone",
        W,
        "Converting between `timestamp` and `timestamptz` (or `date`, `time`/`timetz`) reads or writes "
        "wall-clock values in the TimeZone of whichever session converts them: the sync trigger "
        "runs in the application's sessions, the backfill in reconciler's, and they can differ.",
        "Give the zone explicitly: `using: \"placed_at AT TIME ZONE 'UTC'\"` on the column.",
    ),
}


def _change_rules() -> tuple[Rule, ...]:
    rules = []
    for code in HazardCode:
        title, severity, why, fix = _HAZARDS[code.value]
        rules.append(Rule(f"change/{code.value}", title, severity, why, fix, needs_database=True))
    return tuple(rules)


CHANGE_RULES = _change_rules()
RULES: dict[str, Rule] = {rule.id: rule for rule in (*DESIGN_RULES, *CHANGE_RULES)}


def change_rule(code: HazardCode) -> Rule:
    return RULES[f"change/{code.value}"]

"""The YAML format: strict, versioned document models (`apiVersion`, `kind`, `metadata`, `spec`).

Stage: load. These pydantic models are the single definition of the format: the loader validates
with them, `reconciler schema` prints their JSON Schema, and the Kubernetes CRDs are generated
from them, so the three can never disagree.

Strictness: unknown fields are errors, values are not coerced (`nullable: "no"` is an error, not
False), names are checked against PostgreSQL's identifier rules, and every SQL fragment must
parse as exactly one expression or type with PostgreSQL's own parser.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from reconciler.model.names import identifier_problem
from reconciler.sqlparse.fragments import SqlTextError, parse_expression, parse_name, parse_type

API_GROUP = "reconciler.dev"
API_VERSION_V1ALPHA1 = f"{API_GROUP}/v1alpha1"
API_VERSIONS = (API_VERSION_V1ALPHA1,)

_K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _identifier(value: str) -> str:
    problem = identifier_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _expression(value: str) -> str:
    try:
        parse_expression(value)
    except SqlTextError as exc:
        raise ValueError(str(exc)) from None
    return value


def _scalar_expression(value: str | int | float | bool) -> str:
    """Accept YAML scalars as SQL: `default: 0` and `default: true` mean the SQL literals."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int | float):
        value = repr(value)
    return _expression(value)


def _type(value: str) -> str:
    try:
        parse_type(value)
    except SqlTextError as exc:
        raise ValueError(str(exc)) from None
    return value


def _sql_name(value: str) -> str:
    try:
        parse_name(value)
    except SqlTextError as exc:
        raise ValueError(str(exc)) from None
    return value


def _k8s_name(value: str) -> str:
    if len(value) > 253 or not _K8S_NAME.match(value):
        raise ValueError(
            f"{value!r} is not a valid Kubernetes object name (lower-case letters, digits, '-' and '.'); "
            "put the SQL name in spec.name and use e.g. 'order-items' here"
        )
    return value


Name = Annotated[str, AfterValidator(_identifier)]
SqlExpression = Annotated[str, AfterValidator(_expression)]
SqlValue = Annotated[str | int | float | bool, AfterValidator(_scalar_expression)]  # validated: its SQL text


def sql_text(value: str | int | float | bool) -> str:
    """A validated `SqlValue`: the validator has turned a YAML number or boolean into SQL text
    (the annotation keeps the other scalar types for the JSON Schema)."""
    assert isinstance(value, str)
    return value


SqlType = Annotated[str, AfterValidator(_type)]
SqlName = Annotated[str, AfterValidator(_sql_name)]
KubernetesName = Annotated[str, AfterValidator(_k8s_name)]
FkAction = Literal["no action", "restrict", "cascade", "set null", "set default"]
NonEmptyNames = Annotated[list[Name], Field(min_length=1)]


class SpecModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=False,
        use_attribute_docstrings=True,
    )


# --- lint suppressions ---------------------------------------------------------------------


def _reason(value: str) -> str:
    if not value.strip():
        raise ValueError("a suppression needs a reason: say why the rule does not apply here")
    return value


class LintIgnoreSpec(SpecModel):
    rule: Annotated[str, Field(pattern=r"^(design|change)/[a-z0-9-]+$")]
    """The id of the rule not to report here, e.g. `design/char-or-varchar` (see docs/lint.md)."""
    reason: Annotated[str, AfterValidator(_reason)]
    """Why the rule does not apply to this object (required: the next reviewer reads it)."""


class LintSpec(SpecModel):
    """What `reconciler lint` should know about this object. Not part of the schema: it changes
    neither the content hash nor the plan."""

    ignore: list[LintIgnoreSpec] = []
    """Rules not reported for this object and the objects declared inside it, each with a reason."""


# --- columns -------------------------------------------------------------------------------


class SequenceOptionsSpec(SpecModel):
    start: int | None = None
    """First value (default: minValue for ascending, maxValue for descending sequences)."""
    increment: int | None = None
    """Step between values (default 1)."""
    min_value: int | None = None
    max_value: int | None = None
    cache: int | None = None
    """How many values each session preallocates (default 1)."""
    cycle: bool = False
    """Wrap around at the limit instead of failing."""


class IdentitySpec(SequenceOptionsSpec):
    generation: Literal["always", "by default"] = "by default"
    """`always`: inserts may not supply a value (unless OVERRIDING SYSTEM VALUE); `by default`: they may."""


class GeneratedSpec(SpecModel):
    expression: SqlExpression
    """Expression over other columns of the same row."""
    kind: Literal["stored", "virtual"] = "stored"
    """`stored` (computed on write) or `virtual` (computed on read, PostgreSQL 18+)."""


class ColumnSpec(SpecModel):
    name: Name
    type: SqlType
    """Any PostgreSQL type, e.g. `bigint`, `varchar(200)`, `timestamptz`, `shop.order_status`, `text[]`."""
    nullable: bool = True
    """`false` adds NOT NULL. Identity and primary-key columns are never nullable."""
    default: SqlValue | None = None
    """SQL expression, e.g. `now()`, `0`, `'pending'` (a string literal needs its SQL quotes)."""
    identity: Literal["always", "by default"] | IdentitySpec | None = None
    """Identity column: `always`, `by default`, or an object with sequence options."""
    generated: SqlExpression | GeneratedSpec | None = None
    """Generated column: an expression (stored), or `{expression, kind}`."""
    collation: SqlName | None = None
    """Collation as written in SQL, e.g. `'"C"'` or `'"und-x-icu"'` (default: the type's collation)."""
    comment: str | None = None
    lint: LintSpec | None = None
    """Lint suppressions: `{ignore: [{rule, reason}]}` (see docs/lint.md); not part of the schema."""
    renamed_from: Name | None = None
    """Migration hint: the column's previous name. The planner renames it instead of dropping data."""
    backfill: SqlValue | None = None
    """Migration hint: expression that fills existing rows when the column is added or made NOT NULL."""
    using: SqlExpression | None = None
    """Migration hint: expression converting the old value when the type changes (USING)."""


# --- constraints ---------------------------------------------------------------------------


class _ConstraintSpec(SpecModel):
    name: Name | None = None
    """Constraint name (default: the name PostgreSQL would choose)."""
    comment: str | None = None
    lint: LintSpec | None = None
    """Lint suppressions: `{ignore: [{rule, reason}]}` (see docs/lint.md); not part of the schema."""
    renamed_from: Name | None = None
    """Migration hint: the constraint's previous name."""


class _DeferrableSpec(_ConstraintSpec):
    deferrable: bool = False
    initially_deferred: bool = False


class PrimaryKeySpec(_DeferrableSpec):
    columns: NonEmptyNames
    include: list[Name] = []
    """Non-key columns stored in the index (covering index)."""


class UniqueSpec(_DeferrableSpec):
    columns: NonEmptyNames
    include: list[Name] = []
    nulls_not_distinct: bool = False
    """Treat NULLs as equal (PostgreSQL 15+)."""


class CheckSpec(_ConstraintSpec):
    expression: SqlExpression
    no_inherit: bool = False
    not_valid: bool = False
    """Leave existing rows unchecked (the constraint applies to new writes only)."""


class ReferenceSpec(SpecModel):
    table: Name
    schema_: Name | None = Field(default=None, alias="schema")
    """Schema of the referenced table (default: the referencing table's schema)."""
    columns: list[Name] | None = None
    """Referenced columns (default: the referenced table's primary key)."""


class ForeignKeySpec(_DeferrableSpec):
    columns: NonEmptyNames
    references: ReferenceSpec
    on_delete: FkAction = "no action"
    on_update: FkAction = "no action"
    on_delete_set_columns: list[Name] = []
    """For `on delete set null|set default`: only these columns (PostgreSQL 15+)."""
    match: Literal["simple", "full"] = "simple"
    not_valid: bool = False
    """Leave existing rows unchecked (the constraint applies to new writes only)."""


# --- indexes -------------------------------------------------------------------------------


class IndexElementSpec(SpecModel):
    column: Name | None = None
    expression: SqlExpression | None = None
    order: Literal["asc", "desc"] = "asc"
    nulls: Literal["first", "last"] | None = None
    """NULLS FIRST/LAST (default: last for asc, first for desc)."""
    opclass: SqlName | None = None
    """Operator class as written in SQL, e.g. `text_pattern_ops`, `public.gin_trgm_ops`."""
    collation: SqlName | None = None

    @model_validator(mode="after")
    def _one_key(self) -> IndexElementSpec:
        if (self.column is None) == (self.expression is None):
            raise ValueError("an index element needs exactly one of `column` or `expression`")
        return self


class IndexSpec(SpecModel):
    name: Name | None = None
    """Index name (default: the name PostgreSQL would choose)."""
    columns: Annotated[list[Name | IndexElementSpec], Field(min_length=1)]
    """Keys: column names, or objects with `column` or `expression` and ordering options."""
    unique: bool = False
    method: Name = "btree"
    """Access method: btree, hash, gist, gin, spgist, brin, or one an extension provides."""
    where: SqlExpression | None = None
    """Predicate of a partial index."""
    include: list[Name] = []
    nulls_not_distinct: bool = False
    comment: str | None = None
    lint: LintSpec | None = None
    """Lint suppressions: `{ignore: [{rule, reason}]}` (see docs/lint.md); not part of the schema."""
    renamed_from: Name | None = None
    """Migration hint: the index's previous name."""


# --- row-level security, domains, composite types ---------------------------------------------


class RowLevelSecuritySpec(SpecModel):
    enabled: bool = False
    """ENABLE ROW LEVEL SECURITY: roles other than the owner see only rows a policy allows."""
    forced: bool = False
    """FORCE ROW LEVEL SECURITY: the policies apply to the table's owner too."""


class PolicySpec(SpecModel):
    name: Name
    command: Literal["all", "select", "insert", "update", "delete"] = "all"
    """The command the policy applies to."""
    kind: Literal["permissive", "restrictive"] = "permissive"
    """`permissive` policies are ORed together; `restrictive` ones are ANDed with them."""
    roles: Annotated[list[Name], Field(min_length=1)] = ["public"]
    """Roles the policy applies to (`public`: every role). Roles are referenced, not created."""
    using: SqlExpression | None = None
    """Which existing rows are visible (and may be updated or deleted)."""
    with_check: SqlExpression | None = None
    """Which new or updated rows may be written."""


class DomainCheckSpec(SpecModel):
    name: Name | None = None
    """Constraint name (default: the name PostgreSQL would choose, `<domain>_check`)."""
    expression: SqlExpression
    """Boolean expression over `VALUE`, e.g. `VALUE > 0`."""
    not_valid: bool = False
    """Leave values already stored in columns of this domain unchecked."""


class GrantSpec(SpecModel):
    to: Name
    """The role granted to (`public`: every role). Roles are referenced, not created (see createRoles)."""
    privileges: list[str]
    """Privileges, e.g. [SELECT, INSERT]; `ALL` for every privilege of the object's kind; `[]` revokes
    whatever the role holds on the object."""
    columns: list[Name] = []
    """Tables only: grant on these columns (SELECT, INSERT, UPDATE, REFERENCES) instead of the whole table."""
    with_grant_option: bool = False


class DefaultPrivilegeSpec(SpecModel):
    for_role: Name
    """The role whose future objects in this schema get the privileges (usually the migration role)."""
    on: Literal["tables", "sequences", "functions", "types"]
    to: Name
    privileges: list[str]
    """Privileges, e.g. [SELECT]; `ALL`; `[]` for none (the defaults of forRole in this schema are managed as a whole)."""  # noqa: E501  (one line: it is the JSON Schema's and the CRDs' description)
    with_grant_option: bool = False


class CompositeAttributeSpec(SpecModel):
    name: Name
    type: SqlType
    collation: SqlName | None = None
    lint: LintSpec | None = None
    """Lint suppressions: `{ignore: [{rule, reason}]}` (see docs/lint.md); not part of the schema."""


# --- objects -------------------------------------------------------------------------------


class _NamedSpec(SpecModel):
    name: Name | None = None
    """SQL name (default: metadata.name). Required when the SQL name is not a valid Kubernetes
    name, e.g. when it contains '_' or capitals."""
    lint: LintSpec | None = None
    """Lint suppressions: `{ignore: [{rule, reason}]}` (see docs/lint.md); not part of the schema."""


class SchemaObjectSpec(_NamedSpec):
    schema_: Name = Field(default="public", alias="schema")
    """PostgreSQL schema holding the object (must be declared by a Schema document unless `public`)."""
    comment: str | None = None


class PartitionKeySpec(SpecModel):
    column: Name | None = None
    expression: SqlExpression | None = None

    @model_validator(mode="after")
    def _one_key(self) -> PartitionKeySpec:
        if (self.column is None) == (self.expression is None):
            raise ValueError("a partition key needs exactly one of `column` or `expression`")
        return self


class PartitionBySpec(SpecModel):
    strategy: Literal["range", "list", "hash"]
    columns: Annotated[list[Name | PartitionKeySpec], Field(min_length=1)]
    """Keys: column names, or objects with `column` or `expression`."""


class PartitionBoundsSpec(SpecModel):
    from_: list[SqlValue] | None = Field(default=None, alias="from")
    """Range: lower bound, one value per key (inclusive); `MINVALUE`/`MAXVALUE` allowed."""
    to: list[SqlValue] | None = None
    """Range: upper bound, one value per key (exclusive); `MINVALUE`/`MAXVALUE` allowed."""
    in_: list[SqlValue] | None = Field(default=None, alias="in")
    """List: the values of this partition (`null` as the SQL text `NULL`)."""
    modulus: int | None = None
    """Hash: number of hash partitions the remainders range over."""
    remainder: int | None = None


class PartitionOfSpec(SpecModel):
    table: Name
    """The partitioned parent table."""
    schema_: Name | None = Field(default=None, alias="schema")
    """Schema of the parent (default: this table's schema)."""
    bounds: PartitionBoundsSpec | None = None
    """`{from, to}` (range), `{in}` (list) or `{modulus, remainder}` (hash)."""
    default: bool = False
    """The DEFAULT partition (rows no other partition accepts); instead of `bounds`."""


class TriggerSpec(SpecModel):
    name: Name
    timing: Literal["before", "after", "instead of"]
    events: Annotated[list[Literal["insert", "update", "delete", "truncate"]], Field(min_length=1)]
    columns: list[Name] = []
    """`UPDATE OF` these columns (with the `update` event)."""
    for_each: Literal["row", "statement"] = "row"
    when: SqlExpression | None = None
    """Condition over `OLD`/`NEW`, e.g. `OLD.* IS DISTINCT FROM NEW.*`."""
    function: SqlName
    """The trigger function, schema-qualified unless in the table's schema, e.g. `shop.set_updated_at`."""
    arguments: list[str] = []
    """String arguments passed to the function (TG_ARGV)."""
    enabled: Literal["origin", "always", "replica", "disabled"] = "origin"
    """`origin` (the default: fires except in replication), `always`, `replica` or `disabled`."""
    comment: str | None = None
    lint: LintSpec | None = None
    """Lint suppressions: `{ignore: [{rule, reason}]}` (see docs/lint.md); not part of the schema."""


class TableSpec(SchemaObjectSpec):
    columns: list[ColumnSpec] = []
    primary_key: NonEmptyNames | PrimaryKeySpec | None = None
    """Column list, or an object with `columns` and options."""
    uniques: list[UniqueSpec] = []
    checks: list[CheckSpec] = []
    foreign_keys: list[ForeignKeySpec] = []
    indexes: list[IndexSpec] = []
    renamed_from: Name | None = None
    """Migration hint: the table's previous name (in the same schema)."""
    row_level_security: RowLevelSecuritySpec | None = None
    """Row-level security: `{enabled, forced}` (default: disabled)."""
    policies: list[PolicySpec] = []
    """Row-level security policies (policies on the table that are not listed are dropped)."""
    grants: list[GrantSpec] = []
    """Privileges of the roles listed here (their other privileges on the table are revoked; other roles are left alone)."""  # noqa: E501  (one line: it is the JSON Schema's and the CRDs' description)
    partition_by: PartitionBySpec | None = None
    """Make this a partitioned table: `{strategy: range|list|hash, columns: [...]}`."""
    partition_of: PartitionOfSpec | None = None
    """Make this a partition of a partitioned table (its columns come from the parent)."""
    triggers: list[TriggerSpec] = []


class EnumSpec(SchemaObjectSpec):
    values: list[Annotated[str, AfterValidator(_identifier)]]
    """Labels in sort order. Labels can be added anywhere; removing one needs a type swap."""
    renamed_from: Name | None = None


class DomainSpec(SchemaObjectSpec):
    type: SqlType
    """The base type, e.g. `text`, `numeric(12,2)`."""
    default: SqlValue | None = None
    """Default for columns of this domain that have none of their own."""
    nullable: bool = True
    """`false` makes the domain NOT NULL."""
    collation: SqlName | None = None
    checks: list[DomainCheckSpec] = []
    renamed_from: Name | None = None
    """Migration hint: the domain's previous name (in the same schema)."""


class CollationSpec(SchemaObjectSpec):
    provider: Literal["libc", "icu", "builtin"] = "libc"
    locale: str | None = None
    """Locale, e.g. `de_DE.utf8` (libc), `de-DE` or `und-u-ks-level2` (icu), `C.UTF-8` (builtin)."""
    lc_collate: str | None = None
    """libc only, when sorting and character classes use different locales (with lcCtype)."""
    lc_ctype: str | None = None
    deterministic: bool = True
    """`false`: strings that compare equal need not be byte-wise equal (ICU only)."""


class CompositeTypeSpec(SchemaObjectSpec):
    attributes: Annotated[list[CompositeAttributeSpec], Field(min_length=1)]
    """Attributes in order."""
    renamed_from: Name | None = None
    """Migration hint: the type's previous name (in the same schema)."""


class OwnedBySpec(SpecModel):
    table: Name
    column: Name


class SequenceSpec(SchemaObjectSpec, SequenceOptionsSpec):
    type: Literal["smallint", "integer", "bigint"] = "bigint"
    owned_by: OwnedBySpec | None = None
    """Column whose table owns the sequence (the sequence is dropped with it)."""
    renamed_from: Name | None = None
    grants: list[GrantSpec] = []
    """Privileges (USAGE, SELECT, UPDATE) of the roles listed here."""


class SchemaSpec(_NamedSpec):
    comment: str | None = None
    grants: list[GrantSpec] = []
    """Privileges (USAGE, CREATE) of the roles listed here."""
    default_privileges: list[DefaultPrivilegeSpec] = []
    """Privileges that objects created later in this schema get (ALTER DEFAULT PRIVILEGES)."""


class ExtensionSpec(_NamedSpec):
    schema_: Name | None = Field(default=None, alias="schema")
    """Schema for the extension's objects (default: the extension's own choice)."""
    version: str | None = None
    """Pin a version; leave unset to accept whatever the server installs."""


# --- documents -----------------------------------------------------------------------------


class Metadata(SpecModel):
    name: KubernetesName
    namespace: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class DocumentModel(SpecModel):
    api_version: Literal["reconciler.dev/v1alpha1"]
    metadata: Metadata


class SchemaDocument(DocumentModel):
    """A PostgreSQL schema (namespace)."""

    kind: Literal["Schema"]
    spec: SchemaSpec = SchemaSpec()


class ExtensionDocument(DocumentModel):
    """An extension installed with CREATE EXTENSION."""

    kind: Literal["Extension"]
    spec: ExtensionSpec = ExtensionSpec()


class EnumDocument(DocumentModel):
    """An enum type."""

    kind: Literal["Enum"]
    spec: EnumSpec


class SequenceDocument(DocumentModel):
    """A standalone sequence (identity and serial columns own theirs)."""

    kind: Literal["Sequence"]
    spec: SequenceSpec = SequenceSpec()


class TableDocument(DocumentModel):
    """A table with its columns, constraints and indexes."""

    kind: Literal["Table"]
    spec: TableSpec


class DomainDocument(DocumentModel):
    """A domain: a base type with a default, NOT NULL and check constraints."""

    kind: Literal["Domain"]
    spec: DomainSpec


class CompositeTypeDocument(DocumentModel):
    """A composite type (CREATE TYPE ... AS (attributes))."""

    kind: Literal["CompositeType"]
    spec: CompositeTypeSpec


class CollationDocument(DocumentModel):
    """A collation (CREATE COLLATION), for columns, domains and attributes that name it."""

    kind: Literal["Collation"]
    spec: CollationSpec

"""The operator's own custom resources: `Database` (where to converge, under which policy) and
`SchemaPlan` (a computed plan, its approval and its progress).

Stage: shell. These strict models are the single source of the CRDs' OpenAPI schemas
(`crds.py`) and of what the controller accepts, exactly as the desired-object kinds' schemas come
from `reconciler.load.spec`. The policy is the same `Policy` model `reconciler.yaml` uses, so an
environment behaves the same whether it is driven from CI or from the cluster.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from reconciler.policy import ConfigModel, Duration, Policy

GROUP = "reconciler.dev"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
DATABASE_PLURAL = "databases"
PLAN_PLURAL = "schemaplans"


class SecretKeyRef(ConfigModel):
    name: str = Field(min_length=1)
    """Name of a Secret in the Database's namespace."""
    key: str = "url"
    """The key holding the connection URL (postgresql://user:password@host:port/dbname)."""


class DatabaseConnection(ConfigModel):
    secret_ref: SecretKeyRef
    """The connection URL, read from a Secret (never written in the resource)."""


class LabelSelector(ConfigModel):
    match_labels: dict[str, str] = {}
    """Desired-object resources (Table, Enum, ...) must carry all these labels."""


class OperatorPolicy(Policy):
    drift_interval: Duration = "5m"
    """How often the live database is compared with the desired schema when nothing changed."""
    prune: bool = False
    """Drop tables, enums and sequences whose resources were deleted. Off by default: deleting a
    resource then leaves the object alone (and it is reported as unmanaged). Even when on, a step
    that deletes data still waits for an approval of the plan's digest."""


class DatabaseSpec(ConfigModel):
    connection: DatabaseConnection
    environment: str | None = None
    """A label for people and metrics (dev, staging, prod)."""
    selector: LabelSelector = LabelSelector()
    """Which desired-object resources of this namespace belong to this database (default: all)."""
    policy: OperatorPolicy = OperatorPolicy()


class PlanApproval(ConfigModel):
    digest: str
    """The digest of the plan being approved (sha256:...). An approval of another digest approves nothing."""
    by: str | None = None
    """Who approves (recorded in the journal)."""
    phase: Literal["expand", "backfill", "contract"] | None = None
    """Approve only this phase (default: every phase of this plan)."""


class PlanHazard(ConfigModel):
    code: str
    message: str


class PlanStep(ConfigModel):
    id: str
    phase: Literal["expand", "backfill", "contract"]
    description: str
    hazards: list[PlanHazard] = []
    locks: list[str] = []
    transactional: bool = True
    sql: list[str] = []


class SchemaPlanSpec(ConfigModel):
    database: str
    """The Database resource this plan is for."""
    digest: str
    """Identity of the plan: approvals name it."""
    source_hash: str
    target_hash: str
    server_version: int = 0
    steps: list[PlanStep] = []
    changes: list[str] = []
    warnings: list[str] = []
    approval: PlanApproval | None = None
    """Set by a person (kubectl patch) to approve this plan's gated steps."""


class DatabaseDocument(ConfigModel):
    """A database the operator converges towards the desired objects of its namespace."""

    spec: DatabaseSpec


class SchemaPlanDocument(ConfigModel):
    """A plan computed by the operator; approve it by setting spec.approval.digest."""

    spec: SchemaPlanSpec

"""The project configuration file, `reconciler.yaml`: environments, their connections (given
indirectly, never as a password in the file), per-environment policy, and ignore rules.

Stage: shared by the shells. `apply` reads the policy of the chosen environment; `drift` reads
every environment; the operator maps its Database resource onto the same `Policy` model.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from reconciler.errors import ConfigError, Diagnostic, LoadError
from reconciler.load.validation import diagnostics_from
from reconciler.load.yamlsrc import read_documents
from reconciler.pg.dsn import password_of, redact

DEFAULT_CONFIG = "reconciler.yaml"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)$")
_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}


def duration_ms(text: str | int) -> int:
    """'500ms', '2s', '5m' -> milliseconds (a bare integer is milliseconds)."""
    if isinstance(text, int):
        return text
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 500ms, 2s or 5m")
    return int(float(match.group(1)) * _UNITS_MS[match.group(2)])


def _check_duration(value: str | int) -> str | int:
    duration_ms(value)
    return value


Duration = Annotated[
    str | int,
    AfterValidator(_check_duration),
    Field(description="A duration: 500ms, 2s, 5m, or milliseconds as an integer."),
]


class ConfigModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, alias_generator=to_camel, use_attribute_docstrings=True
    )


class SecretRef(ConfigModel):
    name: str
    key: str = "url"
    namespace: str | None = None


class ConnectionSource(ConfigModel):
    """Where the connection URL comes from. Exactly one of the fields."""

    env: str | None = None
    """Name of an environment variable holding the URL."""
    file: str | None = None
    """A file holding the URL (relative to the config file)."""
    secret: SecretRef | None = None
    """A Kubernetes Secret (read by the operator only)."""
    url: str | None = None
    """The URL itself; allowed only without a password (use ~/.pgpass or PGPASSWORD for that)."""

    @model_validator(mode="after")
    def _exactly_one(self) -> "ConnectionSource":
        given = [name for name in ("env", "file", "secret", "url") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of env, file, secret or url")
        if self.url is not None and password_of(self.url):
            raise ValueError(
                f"the url {redact(self.url)} contains a password: keep secrets out of reconciler.yaml (use env or file)"
            )
        return self


class ApprovalPolicy(ConfigModel):
    phases: list[Literal["expand", "backfill", "contract"]] = ["contract"]
    """Phases that wait for an approval of the plan's digest."""
    hazards: list[str] = ["deletes-data", "table-rewrite", "blocking-scan"]
    """Steps carrying any of these hazards wait for an approval, in any phase."""


class RetryPolicy(ConfigModel):
    max_attempts: int = Field(default=30, ge=1)
    base_delay: Duration = "200ms"
    max_delay: Duration = "10s"


class BackfillPolicy(ConfigModel):
    batch_size: int = Field(default=1000, ge=1)
    """Rows per batch to start with; adapted towards `targetBatchTime`."""
    target_batch_time: Duration = "500ms"
    pause: Duration = "50ms"
    """Pause between batches, leaving room for the application."""
    max_batch_size: int = Field(default=50_000, ge=1)


class PgDumpHook(ConfigModel):
    directory: str = "reconciler-backups"
    """Where dumps go (relative to the working directory)."""


class BackupPolicy(ConfigModel):
    when: Literal["hazardous", "always", "never"] = "hazardous"
    """Before which steps: those that delete data or cannot be reversed (hazardous), all, or none."""
    command: list[str] | None = None
    """A command to run before each such step; it gets the step in RECONCILER_* variables and the
    connection in PG* variables (never on its command line)."""
    pg_dump: PgDumpHook | None = None
    """The built-in hook: pg_dump --format=custom of exactly the tables the step touches."""
    timeout: Duration = "1h"


class Policy(ConfigModel):
    approval: ApprovalPolicy = ApprovalPolicy()
    lock_timeout: Duration = "2s"
    """How long a DDL statement waits for its lock before backing off (and retrying)."""
    statement_timeout: Duration = "60s"
    """Limit for catalog-only steps; scans, index builds and validations have none."""
    retries: RetryPolicy = RetryPolicy()
    backfill: BackfillPolicy = BackfillPolicy()
    backup: BackupPolicy = BackupPolicy()
    create_roles: bool = False
    """Create roles that grants name but the server lacks (NOLOGIN) instead of refusing to plan."""


class IgnoreRules(ConfigModel):
    schemas: list[str] = []
    objects: list[str] = []
    """Glob patterns over schema.name, e.g. 'public.tmp_*'."""
    kinds: list[
        Literal[
            "schema",
            "extension",
            "enum",
            "sequence",
            "table",
            "column",
            "constraint",
            "index",
            "domain",
            "composite type",
            "collation",
        ]
    ] = []

    def ignores(self, kind: str, schema: str, name: str) -> bool:
        return (
            kind in self.kinds
            or schema in self.schemas
            or any(fnmatch.fnmatchcase(f"{schema}.{name}", p) for p in self.objects)
        )


class Environment(ConfigModel):
    connection: ConnectionSource
    policy: Policy = Policy()
    baseline: bool = False
    """Use this environment as the reference in `drift --baseline`."""


class Project(ConfigModel):
    api_version: Literal["reconciler.dev/v1alpha1"]
    kind: Literal["Project"]
    schemas: list[str] = ["schemas"]
    """Directories (or files) with the desired YAML, relative to this file."""
    approvals: str = "approvals"
    """Directory of approval files written by `reconciler approve` (relative to this file)."""
    environments: dict[str, Environment] = {}
    policy: Policy = Policy()
    """Default policy for environments that do not set their own."""
    ignore: IgnoreRules = IgnoreRules()


class LoadedProject:
    """A parsed project file and where it lives (paths in it are relative to it)."""

    def __init__(self, project: Project, path: Path | None) -> None:
        self.project = project
        self.path = path
        self.root = path.parent if path else Path.cwd()

    def schema_paths(self) -> list[Path]:
        return [self.root / p for p in self.project.schemas]

    def approvals_dir(self) -> Path:
        return self.root / self.project.approvals

    def environment(self, name: str) -> Environment:
        env = self.project.environments.get(name)
        if env is None:
            known = ", ".join(sorted(self.project.environments)) or "none"
            raise ConfigError(f"no environment {name!r} in {self.path or DEFAULT_CONFIG} (known: {known})")
        return env

    def policy(self, name: str | None) -> Policy:
        if name is None:
            return self.project.policy
        env = self.environment(name)
        return env.policy if "policy" in env.model_fields_set else self.project.policy

    def url(self, name: str) -> str:
        return resolve_connection(self.environment(name).connection, self.root, name)


def resolve_connection(source: ConnectionSource, root: Path, environment: str) -> str:
    if source.env is not None:
        value = os.environ.get(source.env)
        if not value:
            raise ConfigError(f"environment {environment!r}: variable {source.env} is not set")
        return value
    if source.file is not None:
        path = root / source.file
        try:
            return path.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"environment {environment!r}: cannot read {path}: {exc.strerror}") from None
    if source.secret is not None:
        raise ConfigError(f"environment {environment!r}: a Secret reference can only be read by the operator")
    assert source.url is not None
    return source.url


def load_project(path: Path | None) -> LoadedProject:
    """Read `path`, or ./reconciler.yaml when it exists, or defaults."""
    if path is None:
        default = Path(DEFAULT_CONFIG)
        if not default.exists():
            return LoadedProject(
                Project.model_validate({"apiVersion": "reconciler.dev/v1alpha1", "kind": "Project"}), None
            )
        path = default
    if not path.exists():
        raise ConfigError(f"{path}: no such file")
    documents, problems = read_documents(path, str(path))
    if problems:
        raise LoadError(problems)
    if len(documents) != 1:
        raise LoadError([Diagnostic(str(path), 0, 0, "a project file holds exactly one document of kind Project")])
    try:
        project = Project.model_validate(documents[0].data)
    except ValidationError as exc:
        raise LoadError(diagnostics_from(exc, documents[0], Project)) from None
    return LoadedProject(project, path)

"""The project file, `reconciler.yaml`: environments, their connections (given indirectly, never
as a password in the file), the policy of each environment, and ignore rules.

Stage: shells. The CLI reads it; the policy types it fills in are `reconciler.policy`'s, which the
pipeline reads and the operator fills in from its Database resource instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import ValidationError, model_validator

from reconciler.errors import ConfigError, Diagnostic, LoadError
from reconciler.lint.settings import LintSettings
from reconciler.load.validation import diagnostics_from
from reconciler.load.yamlsrc import read_documents
from reconciler.pg.dsn import password_of, redact
from reconciler.policy import ConfigModel, IgnoreRules, Policy

DEFAULT_CONFIG = "reconciler.yaml"


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
    def _exactly_one(self) -> ConnectionSource:
        given = [name for name in ("env", "file", "secret", "url") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of env, file, secret or url")
        if self.url is not None and password_of(self.url):
            raise ValueError(
                f"the url {redact(self.url)} contains a password: keep secrets out of reconciler.yaml (use env or file)"
            )
        return self


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
    lint: LintSettings = LintSettings()
    """`reconciler lint`: severities per rule, naming patterns, thresholds (see docs/lint.md)."""


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

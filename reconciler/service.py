"""The one entry point the CLI and the operator share.

Each function runs one job end to end (validate, ...), with typed errors and no printing: the
shells decide how to show results. Keeping the shells thin means CI, the operator and the drift
audit run the same tested code.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.diff import diff
from reconciler.diff.code import unmanaged as code_unmanaged
from reconciler.drift.audit import Audit, already_spelled
from reconciler.drift.audit import Target as AuditTarget
from reconciler.drift.findings import DriftReport, EnvironmentResult, mark_migrating
from reconciler.errors import InputError, PlanError
from reconciler.execute.backfill import ProgressSink
from reconciler.execute.executor import ApplyOptions, ApplyOutcome, apply_plan
from reconciler.execute.journal import ActivePlan, Journal, journal_exists, plan_to_resume
from reconciler.execute.journal import active_plan as journal_active_plan
from reconciler.export import ExportResult, export_catalog
from reconciler.gates.approvals import Gate
from reconciler.introspect import LiveState, introspect
from reconciler.introspect.usage import sequence_usage
from reconciler.lint import LintInput, LintReport, LintSettings
from reconciler.lint import lint as run_lint
from reconciler.lint.engine import check_suppressions
from reconciler.load import LoadResult, load_paths
from reconciler.model import Catalog, content_hash, normalized
from reconciler.normalize import desired_scope, normalized_catalog
from reconciler.pg.dsn import connect
from reconciler.pg.dsn import target as dsn_target
from reconciler.plan import Phase, Plan, PlanContext, PlanSettings, Step, plan_from_json, plan_steps
from reconciler.plan.replay import replay
from reconciler.policy import IgnoreRules, Policy, duration_ms
from reconciler.report import schemadoc


def validate(paths: list[Path]) -> LoadResult:
    """Load and check desired-state YAML; raises LoadError listing every problem (a `lint.ignore`
    naming no rule is one)."""
    loaded = load_paths(paths)
    check_suppressions(loaded.suppressions)
    return loaded


@dataclass(frozen=True)
class ExportOutcome:
    live: LiveState
    result: ExportResult


def export(url: str, out: Path, *, schemas: list[str] | None = None, force: bool = False) -> ExportOutcome:
    """Introspect a database and write it as desired-state YAML under `out`."""
    live = introspect(url, schemas or None)
    return ExportOutcome(live=live, result=export_catalog(live.catalog, out, force=force))


@dataclass(frozen=True)
class DocsOutcome:
    written: list[str]  # file names under `out`, in the order written
    removed: list[str]  # diagram files of an earlier run that this one no longer writes
    tables: int
    diagrams: int
    origin: str


def docs(
    out: Path,
    *,
    paths: list[Path] | None = None,
    url: str | None = None,
    schemas: list[str] | None = None,
    formats: list[str] | None = None,
    focus: str | None = None,
    depth: int = 1,
    title: str | None = None,
) -> DocsOutcome:
    """Document a schema (the YAML under `paths`, or the database at `url` with its row
    estimates) as a data dictionary and ER diagrams under `out` (see report.schemadoc)."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is not a directory")
    if paths:
        catalog = load_paths(paths).catalog
        origin = "the YAML in " + ", ".join(str(p) for p in paths)
        sizes = None
        default_title = ", ".join(p.name or str(p) for p in paths)
    else:
        assert url is not None
        live = introspect(url, schemas or None)
        catalog, origin, default_title = live.catalog, f"database {live.database!r}", live.database
        sizes = {
            q: schemadoc.TableSize(rows=None if s.rows < 0 else round(s.rows), bytes=s.bytes)
            for q, s in live.stats.items()
        }
    files = schemadoc.render(
        catalog,
        title=title or f"Schema documentation: {default_title}",
        origin=f"From {origin}.",
        formats=formats or list(schemadoc.FORMATS),
        sizes=sizes,
        focus=focus,
        depth=depth,
    )
    try:
        out.mkdir(parents=True, exist_ok=True)
        removed = []
        for pattern in schemadoc.GENERATED_PATTERNS:
            for stale in sorted(out.glob(pattern)):
                if stale.name not in files and stale.is_file():
                    stale.unlink()
                    removed.append(stale.name)
        for name, text in files.items():
            (out / name).write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot write the docs under {out}: {exc.strerror or exc}") from None
    drawn = schemadoc.diagrams_of(catalog, focus=focus, depth=depth)
    return DocsOutcome(list(files), removed, sum(len(d.tables) for d in drawn), len(drawn), origin)


@dataclass(frozen=True)
class PlanOutcome:
    plan: Plan
    live: LiveState
    desired: Catalog
    in_progress: bool = False  # the plan is the journal's active plan, partly applied
    loaded: LoadResult | None = None  # the YAML as loaded (locations and lint suppressions kept)


@dataclass(frozen=True)
class Prepared:
    """The desired schema (normalized) and the live one, read for the same scope."""

    live: LiveState
    desired: Catalog
    scope: list[str]


def prepare(paths: list[Path], url: str) -> Prepared:
    return prepare_loaded(load_paths(paths), url)


def prepare_loaded(loaded: LoadResult, url: str, *, prune: bool = True) -> Prepared:
    """Read the live schema for the desired one's scope and normalize the desired side.

    With `prune` false (the operator's default), live tables, enums and sequences that the
    desired state does not mention are kept as they are instead of being dropped: deleting a
    resource must not drop a table unless the Database's policy says so."""
    scope = desired_scope(loaded.catalog)
    live = introspect(url, scope)
    # no scratch database when the YAML already spells every object as the database has it
    desired = normalized_catalog(loaded.catalog, url, origins=loaded.origins, candidates=[live.catalog])
    if not prune:
        desired = retain_live_only(desired, live.catalog)
    return Prepared(live=live, desired=desired, scope=scope)


def retain_live_only(desired: Catalog, live: Catalog) -> Catalog:
    """`desired` plus the live tables, enums, sequences, domains, composite types and collations
    it neither declares nor renames."""

    def keys(objects: Any) -> set[tuple[str, str]]:
        found = set()
        for obj in objects:
            found.add((obj.schema, obj.name))
            if getattr(obj, "renamed_from", None) is not None:
                found.add((obj.renamed_from.schema, obj.renamed_from.name))
        return found

    kept = {
        "tables": keys(desired.tables),
        "enums": keys(desired.enums),
        "sequences": keys(desired.sequences),
        "domains": keys(desired.domains),
        "composite_types": keys(desired.composite_types),
        "collations": keys(desired.collations),
    }
    extra = {
        field: getattr(desired, field)
        + tuple(obj for obj in getattr(live, field) if (obj.schema, obj.name) not in names)
        for field, names in kept.items()
    }
    return normalized(dataclasses.replace(desired, **extra))


def make_plan(prepared: Prepared, url: str, *, settings: PlanSettings | None = None, verify: bool = True) -> Plan:
    """Plan from `prepared` state; the plan is replayed on a scratch copy of the live schema, and
    a replay that fails or leaves differences is an error, never a plan shown as valid."""
    live, desired = prepared.live, prepared.desired
    changes = diff(live.catalog, desired)
    ctx = PlanContext(
        live=live, desired=desired, settings=settings or PlanSettings(), volatile_functions=live.volatile_functions
    )
    steps = plan_steps(changes, ctx)
    warnings = list(live.warnings)
    warnings += [
        f"invalid index {table.schema}.{name} (left by an interrupted CREATE INDEX CONCURRENTLY) will be dropped "
        "before it is rebuilt"
        for table, name in live.invalid_indexes
    ]
    result = Plan(
        steps=tuple(steps),
        source_hash=content_hash(live.catalog),
        target_hash=content_hash(desired),
        database=live.database,
        server_version=live.server_version,
        changes=tuple(f"{type(change).__name__} {change.subject}" for change in changes),
        warnings=tuple(warnings),
        unmanaged=tuple(str(obj) for obj in live.unmanaged)
        + tuple(f"{k} {s}.{n}" for k, s, n in code_unmanaged(live.catalog, desired)),
        schemas=tuple(prepared.scope),
        verified=not steps,
    )
    if steps and verify:
        replayed = replay(result, live, desired, url)
        if replayed.failure:
            raise PlanError(f"the plan does not apply cleanly to a copy of the live schema: {replayed.failure}")
        if replayed.remaining:
            raise PlanError(
                "after replaying the plan on a copy of the live schema, differences remain: "
                + "; ".join(replayed.remaining)
            )
        notes = [replayed.note] if replayed.note else []
        result = dataclasses.replace(result, verified=True, warnings=result.warnings + tuple(notes))
    return result


def plan(
    paths: list[Path],
    url: str,
    *,
    settings: PlanSettings | None = None,
    verify: bool = True,
    loaded: LoadResult | None = None,
) -> PlanOutcome:
    """Load the desired schema, read the live one, and plan the migration between them.

    While a plan is in progress on the database (half applied, waiting at a gate), planning from
    its intermediate state would be meaningless: that plan is returned instead when it leads to
    the same desired schema, and planning another change is refused until it is finished or
    abandoned."""
    loaded = loaded or load_paths(paths)
    prepared = prepare_loaded(loaded, url)
    active = active_plan(url)
    resumed = plan_to_resume(active, content_hash(prepared.desired))
    if resumed is not None:
        return PlanOutcome(plan=resumed, live=prepared.live, desired=prepared.desired, in_progress=True, loaded=loaded)
    if active is not None:
        raise PlanError(
            f"plan {active.plan.digest} is in progress on this database and leads to another schema: finish it with "
            "`reconciler apply` (on its desired schema) or abandon it with `reconciler abandon`, then plan again"
        )
    return PlanOutcome(
        plan=make_plan(prepared, url, settings=settings, verify=verify),
        live=prepared.live,
        desired=prepared.desired,
        loaded=loaded,
    )


def lint(paths: list[Path], settings: LintSettings, *, url: str | None = None) -> LintReport:
    """Review the desired YAML with the design rules and, given a database, the plan from it to
    the YAML with the change rules (planned without replay: the hazards are the planner's, and
    nothing is applied). Raises LoadError for invalid YAML or a suppression naming no rule."""
    loaded = load_paths(paths)
    check_suppressions(loaded.suppressions)
    if url is None:
        return lint_loaded(loaded, settings)
    outcome = plan(paths, url, verify=False, loaded=loaded)
    return lint_loaded(loaded, settings, url=url, plan=outcome.plan)


def lint_loaded(
    loaded: LoadResult, settings: LintSettings, *, url: str | None = None, plan: Plan | None = None
) -> LintReport:
    """Lint YAML already loaded; with `url`, the live sequence positions are read too."""
    usage = sequence_usage(url, desired_scope(loaded.catalog)) if url is not None else None
    given = LintInput(
        catalog=loaded.catalog,
        settings=settings,
        locations=loaded.locations,
        suppressions=loaded.suppressions,
        files=tuple(loaded.files),
        usage=usage,
        plan=plan,
    )
    return run_lint(given)


@dataclass(frozen=True)
class ApplyRequest:
    url: str
    policy: Policy
    gate: Gate
    paths: list[Path] | None = None
    loaded: LoadResult | None = None  # desired state already loaded (the operator)
    plan_file: Path | None = None
    up_to: Phase = Phase.CONTRACT
    progress: Callable[[Step, float | None], ProgressSink] | None = None


def apply(request: ApplyRequest) -> ApplyOutcome:
    """Apply a plan: the given plan file, or the plan in progress in the journal when it targets
    the same desired schema, or a new plan."""
    settings = PlanSettings(
        lock_timeout_ms=duration_ms(request.policy.lock_timeout),
        backfill_batch_size=request.policy.backfill.batch_size,
        create_roles=request.policy.create_roles,
    )
    if request.plan_file is not None:
        chosen = read_plan_file(request.plan_file)
        live = introspect(request.url, list(chosen.schemas) or None)
    else:
        assert request.paths is not None or request.loaded is not None
        prepared = prepare_loaded(request.loaded or load_paths(request.paths or []), request.url)
        resumed = plan_to_resume(active_plan(request.url), content_hash(prepared.desired))
        chosen = resumed if resumed is not None else make_plan(prepared, request.url, settings=settings)
        live = prepared.live
    options = ApplyOptions(gate=request.gate, policy=request.policy, up_to=request.up_to, progress=request.progress)
    return apply_plan(chosen, request.url, live, options)


def read_plan_file(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise InputError(f"{path}: cannot read the plan: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not a plan file (invalid JSON at line {exc.lineno})") from None
    return plan_from_json(data)


def active_plan(url: str) -> ActivePlan | None:
    """The plan in progress in the database's journal, if any (see `journal.plan_to_resume` for
    which plan runs next)."""
    with connect(url, autocommit=True) as conn:
        return journal_active_plan(conn)


def history(url: str, limit: int = 20) -> list[dict[str, Any]]:
    with connect(url, autocommit=True) as conn:
        if not journal_exists(conn):
            return []
        return Journal(conn).history(limit)


def abandon(url: str, digest: str | None) -> Plan:
    with connect(url, autocommit=True) as conn:
        if not journal_exists(conn):
            raise InputError("this database has no reconciler journal: nothing to abandon")
        journal = Journal(conn)
        journal.lock()
        try:
            record = journal.active()
            if record is None or (digest is not None and record.digest != digest):
                raise InputError("no such active plan" + (f" ({digest})" if digest else ""))
            journal.abandon(record.digest, "abandoned by `reconciler abandon`")
            return record.plan
        finally:
            journal.unlock()


@dataclass(frozen=True)
class DriftTarget:
    name: str
    url: str


def drift(
    paths: list[Path] | None,
    targets: list[DriftTarget],
    *,
    baseline: str | None = None,
    rules: IgnoreRules | None = None,
) -> DriftReport:
    """Compare every environment with the desired schema (or with the `baseline` environment).

    Environments are read and diffed in parallel, one worker each (see drift.audit); the YAML
    is loaded while they read."""
    rules = rules or IgnoreRules()
    if not targets:
        raise InputError("no environments to compare: give --env (from reconciler.yaml) or --url")
    if baseline is not None and baseline not in {t.name for t in targets}:
        raise InputError(f"--baseline {baseline!r} is not one of the environments compared")
    if paths is None and baseline is None:
        raise InputError("nothing to compare with: give the desired YAML, or --baseline ENV")
    with Audit([AuditTarget(t.name, t.url) for t in targets]) as audit:
        loaded = load_paths(paths) if paths is not None else None
        summaries = audit.observe(desired_scope(loaded.catalog) if loaded is not None else None)
        references, desired_hash, description = _references(audit, loaded, paths, summaries, baseline)
        compared = audit.compare(references, rules, baseline=baseline is not None)
    results = []
    for target in targets:
        summary = summaries[target.name]
        result = EnvironmentResult(name=target.name, target=str(dsn_target(target.url)))
        if summary.error is not None:
            result.reachable, result.error = False, summary.error
        else:
            result.server_version, result.schema_hash = summary.server_version, summary.schema_hash
            result.findings, result.objects = compared[target.name]
            if summary.progress is not None:
                towards = desired_hash is not None and summary.plan_target == desired_hash
                result.plan = dataclasses.replace(summary.progress, towards_desired=towards)
                if towards:
                    mark_migrating(result)
        results.append(result)
    return DriftReport(desired_hash=desired_hash, reference=description, environments=results)


def _references(
    audit: Audit, loaded: LoadResult | None, paths: list[Path] | None, summaries: dict[str, Any], baseline: str | None
) -> tuple[dict[str, bytes], str | None, str]:
    """What each reachable environment is compared with: the baseline's catalog, or the desired
    one, normalized once per server major version (PostgreSQL's spelling can differ between
    them), and only when some desired object is not already spelled as an environment has it."""
    reachable = [name for name, summary in summaries.items() if summary.error is None]
    if baseline is not None:
        if summaries[baseline].error is not None:
            raise InputError(f"the baseline environment {baseline!r} is unreachable: {summaries[baseline].error}")
        reference = audit.catalog_of(baseline)
        return dict.fromkeys(reachable, reference), None, f"environment {baseline}"
    assert loaded is not None and paths is not None
    by_major: dict[int, list[str]] = {}
    for name in reachable:
        by_major.setdefault(summaries[name].major, []).append(name)
    references: dict[str, bytes] = {}
    hashes: list[str] = []
    for names in by_major.values():
        if already_spelled(loaded.catalog, [summaries[n] for n in names]):
            reference, hashes_of = pickle.dumps(loaded.catalog), loaded.catalog
        else:
            reference = audit.normalize_with(names[0], loaded.catalog, loaded.origins)
            hashes_of = pickle.loads(reference)
        hashes.append(content_hash(hashes_of))
        references.update(dict.fromkeys(names, reference))
    shown = ", ".join(str(p) for p in paths)
    return references, (hashes[0] if hashes else None), f"the desired schema ({shown})"

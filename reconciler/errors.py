"""The typed error tree.

Every failure a user can cause or meet is one of these classes. The CLI turns them into one clear
message and a documented exit code (see docs/cli.md); nothing else may reach the user as a
traceback. Each error says whether retrying can help (`retryable`), so the executor and the
operator retry only what is known to be temporary, never a bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


class ExitCode:
    """Process exit codes, shared by every command (documented in docs/cli.md)."""

    OK = 0
    ERROR = 1
    CHANGES = 2  # plan: changes planned; drift: drift found
    AWAITING_APPROVAL = 3  # apply stopped at a gate
    BUSY = 4  # another applier holds the database
    USAGE = 64  # command-line usage error (sysexits EX_USAGE)
    INTERRUPTED = 130


class ReconcilerError(Exception):
    """Base of every error reconciler raises on purpose."""

    exit_code: ClassVar[int] = ExitCode.ERROR
    retryable: ClassVar[bool] = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- input ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in the user's input, located as precisely as we can."""

    file: str
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{self.file}: {self.message}"


class InputError(ReconcilerError):
    """The user's files, flags or configuration are wrong; retrying cannot help."""


class LoadError(InputError):
    """The desired-state YAML is invalid. Carries every problem found, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.file, d.line, d.column, d.message))
        count = len(self.diagnostics)
        lines = [str(d) for d in self.diagnostics]
        lines.append(f"{count} error{'s' if count != 1 else ''} found")
        super().__init__("\n".join(lines))


class ConfigError(InputError):
    """The project configuration (reconciler.yaml) or a command-line setting is wrong."""


# --- database ------------------------------------------------------------------------------


class DatabaseError(ReconcilerError):
    """A database could not be used. The message never contains a password."""


class ConnectionFailed(DatabaseError):
    """The server did not answer, refused the login, or the database does not exist."""

    retryable = True


class IntrospectionError(DatabaseError):
    """Reading the catalog failed (timeout, permissions, an object we cannot represent)."""


class ServerUnavailable(ReconcilerError):
    """No PostgreSQL server could be found or started for a throwaway/scratch database."""


# --- planning and execution ----------------------------------------------------------------


class PlanError(ReconcilerError):
    """A plan could not be made or is not acceptable."""


class NormalizationError(PlanError):
    """The desired schema was rejected by PostgreSQL when rendered into a scratch database."""


class StalePlanError(PlanError):
    """The live schema changed since the plan was computed."""


class TamperedPlanError(PlanError):
    """The plan's content does not match its digest."""


class ExecutionError(ReconcilerError):
    """A step failed while applying a plan."""


class LockNotAvailable(ExecutionError):
    """A step could not get its lock within lock_timeout (SQLSTATE 55P03)."""

    retryable = True


class ApplierBusy(ExecutionError):
    """Another applier holds this database's advisory lock."""

    exit_code = ExitCode.BUSY
    retryable = True


class HookFailed(ExecutionError):
    """A backup hook failed; the step it guards did not run."""


class ApprovalRequired(ReconcilerError):
    """The plan stopped at a gate; the message says exactly what to approve."""

    exit_code = ExitCode.AWAITING_APPROVAL

"""One exception hierarchy for govcloud, mapped to exit codes in one place (``cli.py``).

* :class:`InputError` and its children mean the user gave something wrong (a YAML file, a model,
  a plan, a CLI argument). Exit code 2. Nothing has been changed when one is raised.
* :class:`OperationError` and its children mean a real operation failed (the engine, a lab
  service, an Ansible run). Exit code 1.

Every error carries a ``fix``: one sentence telling the operator what to do.
"""

from __future__ import annotations

from .problems import Location, Problem


class GovcloudError(Exception):
    """Base of every error govcloud raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} (fix: {self.fix})" if self.fix else self.message


class InputError(GovcloudError):
    """Bad input: a file, a model, a plan or an argument. Exit code 2.

    ``at`` is the field path of the model field at fault when the error is found after loading
    (by a planner): the error then carries it as :attr:`problem`, the one "problem at a field path"
    type, which the model's loader places in a file and line like every other problem.
    """

    exit_code = 2

    def __init__(self, message: str, *, fix: str = "", at: tuple[str | int, ...] = ()) -> None:
        super().__init__(message, fix=fix)
        self.problem: Problem | None = Problem(at, message, fix) if at else None


class ModelError(InputError):
    """The province model (or another input file) is invalid at a known location."""

    def __init__(self, message: str, *, location: Location, fix: str) -> None:
        self.location = location
        super().__init__(f"{location}: {message}" if str(location) else message, fix=fix)


class PlanError(InputError):
    """A plan file (migration wave, ledger, rollout) is inconsistent."""


class UsageError(InputError):
    """A command-line argument is wrong."""


class OperationError(GovcloudError):
    """A real operation failed. Exit code 1."""


class AddressSpaceExhausted(InputError):
    """A block is too small for what the hierarchy asks of it (the model must change)."""


class EngineError(OperationError):
    """The Pulumi engine failed or is missing."""


class EngineInterrupted(EngineError):
    """A stop signal (SIGINT, SIGTERM) ended an engine run cleanly. Exit code 128 + the signal."""

    def __init__(self, message: str, *, fix: str = "", exit_code: int = 130) -> None:
        super().__init__(message, fix=fix)
        self.exit_code = exit_code


class LabError(OperationError):
    """A lab service (OpenStack, network namespaces) failed to start, stop or answer."""


class RunnerError(OperationError):
    """An Ansible run failed (its status became this exception)."""


class PolicyViolation(OperationError):
    """A mandatory policy failed; the findings are attached."""

    def __init__(self, message: str, *, findings: list | None = None, fix: str = "") -> None:
        super().__init__(message, fix=fix)
        self.findings = findings or []

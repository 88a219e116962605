"""One report model for every command: findings with where, why and how to fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from conduit.core.exitcodes import ExitCode
from conduit.core.failures import FailureClass

SCHEMA_VERSION = "conduit.report/v1"
PLANNED = ("preview", "audit")
"""Commands whose report is about a stack's resources (a plan, or what is deployed)."""


class Outcome(StrEnum):
    """What a finding means for the run."""

    FAIL = "fail"
    """Blocks: a mandatory violation, a failed check."""
    WARN = "warn"
    """Advisory: shown, never blocks."""
    PASS = "pass"
    """A check that held (the validator reports its passes with their figures)."""
    ERROR = "error"
    """The rule or check itself failed to run."""
    SKIPPED = "skipped"
    """Not run: not applicable, not selected, or nothing to measure."""
    SUPPRESSED = "suppressed"
    """A violation the policy config suppresses for this resource, with its reason: shown,
    never blocks, never a pass."""


@dataclass(frozen=True)
class Location:
    """Where a finding comes from in the user's files."""

    file: str
    line: int = 1
    key: str = ""
    note: str = ""
    """What the setting there contributes (related locations: "auth: DATABASE_POOL_SIZE 3")."""


@dataclass(frozen=True)
class Finding:
    """One result of one rule or check about one subject."""

    rule: str
    outcome: Outcome
    message: str
    severity: str = "medium"
    enforcement: str = ""
    subject: str = ""
    subject_type: str = ""
    remediation: str = ""
    location: Location | None = None
    """Where to change first: the setting whose change fixes the finding with the least change."""
    related: tuple[Location, ...] = ()
    """The other settings that take part, each with its note."""
    classification: FailureClass | Literal[""] = ""
    figures: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    properties: tuple[str, ...] = ()
    """The subject's properties the rule judged (dotted paths)."""
    observed: Any = None
    required: Any = None
    suppression: str = ""
    """Why the policy config suppresses this violation (outcome SUPPRESSED)."""


@dataclass(frozen=True)
class Rule:
    """What a report says of a rule or check it ran, so reporters can list the ones that held."""

    name: str
    description: str
    severity: str
    enforcement: str
    scope: str = "resource"
    """`resource` (judged per resource) or `stack` (judged once per stack)."""
    remediation: str = ""
    inspects: tuple[str, ...] = ()
    """Resource rules: the resource types they judge (one report case per such resource)."""
    security: bool = False
    """A rule about exposure, credentials or access (SARIF gives only these a security-severity)."""


@dataclass(frozen=True)
class Report:
    """Everything a command found, ready for any reporter."""

    command: str
    stack: str
    findings: tuple[Finding, ...]
    rules: tuple[Rule, ...] = ()
    resources: tuple[tuple[str, str], ...] = ()
    """(type, urn) of every resource the plan creates (preview only)."""
    source: str = ""
    """The stack file the report is about."""
    duration_seconds: float = 0.0
    notes: tuple[str, ...] = ()
    policy_config: str = ""
    """Which policy config the pack ran with (a file, or a grade's defaults); preview only."""

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome in (Outcome.FAIL, Outcome.ERROR)]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome is Outcome.WARN]

    @property
    def exit_code(self) -> ExitCode:
        if any(f.outcome is Outcome.ERROR for f in self.findings):
            return ExitCode.INTERNAL_ERROR
        return ExitCode.FINDINGS if self.failures else ExitCode.OK

    def resources_by_type(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for type_, _ in self.resources:
            counts[type_] = counts.get(type_, 0) + 1
        return sorted(counts.items())

    def uninspected(self) -> list[tuple[str, int]]:
        """(type, count) of the plan's resource types that no rule inspects: listed, never
        silent (a preview of a program Conduit did not write meets many)."""
        if self.command not in PLANNED:
            return []
        inspected = {type_ for rule in self.rules for type_ in rule.inspects}
        return [(t, n) for t, n in self.resources_by_type() if t not in inspected]

    def summary(self) -> str:
        """The one line a reviewer reads first."""
        failed, warned = len(self.failures), len(self.warnings)
        if self.command in PLANNED:
            head = f"{self.stack}: {len(self.resources)} resources"
            verdict = (
                "no mandatory violations"
                if not failed
                else f"{failed} mandatory violation{'s' * (failed != 1)}"
            )
            suppressed = sum(f.outcome is Outcome.SUPPRESSED for f in self.findings)
            tail = f", {suppressed} suppressed" if suppressed else ""
            return f"{head}, {verdict}, {warned} advisor{'ies' if warned != 1 else 'y'}{tail}"
        checks: dict[str, list[Outcome]] = {}
        for finding in self.findings:
            checks.setdefault(finding.rule, []).append(finding.outcome)
        verdicts = [_verdict(outcomes) for outcomes in checks.values()]
        subjects = [_verdict([f.outcome]) for f in self.findings]
        return f"{self.stack}: {_counts(verdicts, 'check')}; {_counts(subjects, 'subject')}" + (
            f"; {warned} warning{'s' * (warned != 1)}" if warned else ""
        )


def _verdict(outcomes: list[Outcome]) -> str:
    """A check's verdict over its subjects: failed if one failed (or errored), passed if one
    passed (a warning passes), else skipped."""
    if any(o in (Outcome.FAIL, Outcome.ERROR) for o in outcomes):
        return "failed"
    if any(o in (Outcome.PASS, Outcome.WARN) for o in outcomes):
        return "passed"
    return "skipped"


def _counts(verdicts: list[str], noun: str) -> str:
    """ "9 checks: 5 passed, 3 failed, 1 skipped"."""
    counts = ", ".join(f"{verdicts.count(v)} {v}" for v in ("passed", "failed", "skipped"))
    return f"{len(verdicts)} {noun}{'s' * (len(verdicts) != 1)}: {counts}"

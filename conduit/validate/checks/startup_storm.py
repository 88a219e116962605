"""startup-storm: the share of the storm's tasks that connected meets startupSuccessRate."""

from __future__ import annotations

from collections import Counter

from conduit.core.check_ids import CheckId
from conduit.core.failures import classify_window
from conduit.core.settings import SuccessCriteria
from conduit.probe.burst import percentiles
from conduit.report.model import Finding, Outcome
from conduit.validate.context import Context, skipped
from conduit.validate.storm import PROBE_JOB_ROLES, StormResult

ID = CheckId.STARTUP_STORM
DESCRIPTION = "N fresh probes connect at once; the share that succeeds meets startupSuccessRate."
ROLES = PROBE_JOB_ROLES
"""What the validator's account needs to run the probe job (with overrides: see
PROBE_JOB_ROLES) and read its results."""
REMEDIATION = (
    "Too many clients or timeouts: see cloudsql-connection-budget and connector-warm-capacity; "
    "authentication failures: the password secret."
)


def judge(result: StormResult, criteria: SuccessCriteria) -> Finding:
    """The storm against the success rate; a failure classified from every failed task."""
    connected = sum(t.ok for t in result.tasks)
    outcomes = Counter("connected" if t.ok else (t.failure or "failed") for t in result.tasks)
    figures = {
        "runner": result.runner,
        "tasks": len(result.tasks),
        "successRate": round(result.success_rate, 3),
        "threshold": criteria.startup_success_rate,
        "connectSeconds": percentiles(
            [t.seconds for t in result.tasks if t.ok and t.seconds is not None]
        ),
        "outcomes": dict(outcomes),
    }
    summary = (
        f"{connected}/{len(result.tasks)} tasks connected ({result.success_rate:.0%}, threshold "
        f"{criteria.startup_success_rate:.0%})"
    )
    if result.tasks and result.success_rate >= criteria.startup_success_rate:
        return Finding(
            rule=ID,
            outcome=Outcome.PASS,
            message=summary,
            figures=figures,
            evidence=tuple(result.notes),
        )
    # A task the budget cut is no evidence; one that failed without a reason of its own
    # (its log never arrived) counts as infrastructure.
    evidence = [t.classification or t.failure or "" for t in result.tasks if not t.ok]
    return Finding(
        rule=ID,
        outcome=Outcome.FAIL,
        severity="critical",
        message=summary,
        figures=figures,
        classification=classify_window(evidence),
        evidence=tuple(result.notes),
        remediation=REMEDIATION,
    )


def run(ctx: Context) -> list[Finding]:
    result = ctx.storm()
    if result is None:
        t = ctx.targets
        if t.probe_job or t.dsn:
            return skipped(ID, "no storm runner: --storm-runner none")
        return skipped(
            ID, f"no storm runner: no --dsn for a storm from here, and {t.lacks('probeJob')}"
        )
    return [judge(result, ctx.targets.criteria)]

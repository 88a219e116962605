"""connector-scaling: the egress path scales out in time. The connector is READY as declared, and
connection times during the storm return to the idle baseline within
connectorScalingLatencySeconds. On Direct VPC egress there is no connector to read: the same storm
measures the Direct VPC path against the same criterion (the id stays, so CI's --only/--skip do).

Scaling latency, precisely: the baseline is the median of 3 sequential single connections before
the storm (the idle path). A storm task is slow if its connection took more than
max(2 x baseline, baseline + 0.1 s), or failed. The latency is the latest moment, counted from the
storm's first connection attempt, at which a slow task finished (start + duration); 0 when no task
was slow. Counting from the first attempt leaves out how long the tasks themselves took to start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from conduit.core.check_ids import CheckId
from conduit.core.failures import FailureClass
from conduit.report.model import Finding, Outcome
from conduit.validate import deployed
from conduit.validate.context import Context, skipped
from conduit.validate.google import api_failure
from conduit.validate.storm import LocalStorm, StormResult

ID = CheckId.CONNECTOR_SCALING
DESCRIPTION = (
    "The connector is READY as declared; storm connection times through the egress path "
    "(connector or Direct VPC) settle within the limit."
)
REMEDIATION = "Raise the connector's minInstances or machine type (connector-warm-capacity)."
ROLES = ("roles/vpcaccess.viewer",)
"""What the validator's account needs to read the connector (the storm's are startup-storm's)."""
DIRECT_REMEDIATION = (
    "Direct VPC egress warms up per instance: keep minInstances warm, or use the connector "
    "(see docs/egress.md)."
)


def scaling_latency(result: StormResult, baseline: float) -> tuple[float, int]:
    """(latency in seconds, number of slow tasks), as defined in the module docstring."""
    limit = max(2 * baseline, baseline + 0.1)
    starts = [t.start for t in result.tasks if t.start is not None]
    first = min(starts) if starts else 0.0
    slow = [
        (t.start if t.start is not None else first) - first + (t.seconds or 0.0)
        for t in result.tasks
        if not t.ok or (t.seconds is not None and t.seconds > limit)
    ]
    return (max(slow) if slow else 0.0), len(slow)


STATE_REMEDIATION = (
    "The connector is not READY: read its state in VPC Access, and recreate it with pulumi up."
)
DRIFT_REMEDIATION = "Run pulumi up from the committed stack file, or commit the change."


@dataclass(frozen=True)
class _Declared:
    """The connector as deployed against the stack: its problems and its figures."""

    problems: list[str]
    figures: dict
    ready: bool


def _declared(ctx: Context, connector_id: str) -> _Declared:
    """The connector's state and sizing from the VPC Access API, against the stack's settings;
    raises the API's error."""
    connector = deployed.connector(ctx)
    state = type(connector).State(connector.state).name
    problems = [] if state == "READY" else [f"state is {state}, not READY"]
    wanted = ctx.targets.settings.network.connector if ctx.targets.settings else None
    if wanted is not None:
        sizing = deployed.connector_sizing(connector, wanted)
        problems += [
            f"{field} is {actual}, declared {declared}"
            for field, actual, declared in deployed.differences(sizing)
        ]
    figures = {
        "state": state,
        "machineType": connector.machine_type,
        "minInstances": connector.min_instances,
        "maxInstances": connector.max_instances,
    }
    return _Declared(problems, figures, state == "READY")


def judge(result: StormResult, baseline: float, limit: float, path: str = "connector") -> Finding:
    """The storm's scaling latency through egress `path` against `limit` seconds."""
    latency, slow = scaling_latency(result, baseline)
    figures = {
        "egressPath": path,
        "latencySeconds": round(latency, 3),
        "baselineSeconds": round(baseline, 4),
        "baselineFrom": result.baseline_source,
        "slowTasks": slow,
        "thresholdSeconds": limit,
    }
    message = (
        f"{'Direct VPC egress: ' if path == 'direct' else ''}connection times settled "
        f"{latency:.2f} s after the burst began ({slow} slow tasks; idle baseline "
        f"{baseline * 1000:.0f} ms; threshold {limit:g} s)"
    )
    if latency <= limit:
        return Finding(rule=ID, outcome=Outcome.PASS, message=message, figures=figures)
    return Finding(
        rule=ID,
        outcome=Outcome.FAIL,
        severity="critical",
        classification=FailureClass.INFRASTRUCTURE,
        message=message,
        figures=figures,
        remediation=DIRECT_REMEDIATION if path == "direct" else REMEDIATION,
    )


def _not_measured(ctx: Context, path: str) -> str | None:
    """Why the storm says nothing of the egress path's scaling, or None when it does."""
    through = "the connector" if path == "connector" else "Direct VPC egress"
    if isinstance(ctx.storm_runner, LocalStorm):
        return f"the storm ran from this machine (--dsn), not through {through}"
    result = ctx.storm()
    if result is None:
        job = "" if ctx.targets.probe_job else f": {ctx.targets.lacks('probeJob')}"
        return f"no storm through {through} (the probe job runs it inside the VPC{job})"
    if result.baseline_seconds is None:
        return "the storm timed no connection (no idle baseline and no task's timings)"
    return None


def run(ctx: Context) -> list[Finding]:
    """One outcome for the egress path: the connector's declared state and its scaling latency
    are two parts of it (figures["results"]), skipped when neither part could be judged."""
    t = ctx.targets
    path = t.egress_path or "connector"
    if path == "connector" and not t.connector_id:
        return skipped(
            ID,
            f"no connector to measure: {t.lacks('connectorId')}, and a storm from here to --dsn "
            "goes through none",
        )
    subject = str(t.connector_id if path == "connector" else t.subnet_id or "Direct VPC egress")
    declared = None
    if path == "connector":
        try:
            declared = _declared(ctx, subject)
        except Exception as error:  # noqa: BLE001 an API failure is a classified finding
            return [api_failure(ID, error, subject=subject, prefix="connector: ", roles=ROLES)]
    why = _not_measured(ctx, path)
    scaling = None
    if why is None:
        result = ctx.storm()
        assert result is not None and result.baseline_seconds is not None  # _not_measured: None
        limit = t.criteria.connector_scaling_latency_seconds
        scaling = judge(result, result.baseline_seconds, limit, path)
    figures = {**(declared.figures if declared else {}), **(scaling.figures if scaling else {})}
    results = {
        **({"declared": "fail" if declared.problems else "pass"} if declared else {}),
        "scaling": str(scaling.outcome) if scaling else "skipped",
    }
    figures["results"] = results
    parts = []
    if declared:
        ready = f"connector READY, {figures['machineType']} x "
        ready += f"{figures['minInstances']}-{figures['maxInstances']}"
        parts.append("connector: " + "; ".join(declared.problems) if declared.problems else ready)
    parts.append(scaling.message if scaling else f"scaling not measured: {why}")
    message = "; ".join(parts)
    if declared and declared.problems:
        classification = (
            FailureClass.INFRASTRUCTURE if not declared.ready else FailureClass.CONFIGURATION
        )
        fix = STATE_REMEDIATION if not declared.ready else DRIFT_REMEDIATION
        return [_finding(Outcome.FAIL, subject, message, figures, "high", classification, fix)]
    if scaling is None:
        return [_finding(Outcome.SKIPPED, subject, message, figures, "low")]
    if scaling.outcome is Outcome.FAIL:
        return [
            _finding(
                Outcome.FAIL,
                subject,
                message,
                figures,
                "critical",
                FailureClass.INFRASTRUCTURE,
                scaling.remediation,
            )
        ]
    return [_finding(Outcome.PASS, subject, message, figures)]


def _finding(
    outcome: Outcome,
    subject: str,
    message: str,
    figures: dict,
    severity: str = "medium",
    classification: FailureClass | Literal[""] = "",
    remediation: str = "",
) -> Finding:
    return Finding(
        rule=ID,
        outcome=outcome,
        subject=subject,
        severity=severity,
        classification=classification,
        message=message,
        figures=figures,
        remediation=remediation,
    )

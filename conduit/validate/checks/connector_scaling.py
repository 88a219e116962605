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

from conduit.report.model import Finding, Outcome
from conduit.validate import deployed
from conduit.validate.context import Context, skipped
from conduit.validate.google import api_failure
from conduit.validate.storm import StormResult

ID = "connector-scaling"
DESCRIPTION = (
    "The connector is READY as declared; storm connection times through the egress path "
    "(connector or Direct VPC) settle within the limit."
)
REMEDIATION = "Raise the connector's minInstances or machine type (connector-warm-capacity)."
DIRECT_REMEDIATION = (
    "Direct VPC egress warms up per instance: keep minInstances warm, or use the connector "
    "(see README: Egress: connector or Direct VPC)."
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


def _declared(ctx: Context) -> list[Finding]:
    """The connector's state and sizing from the VPC Access API, against the stack's settings."""
    connector_id = ctx.targets.connector_id
    if not connector_id:
        return []
    try:
        connector = deployed.connector(ctx)
    except Exception as error:  # noqa: BLE001 an API failure is a classified finding
        return [api_failure(ID, error, subject=connector_id, prefix="connector: ")]
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
    if problems:
        return [
            Finding(
                rule=ID,
                outcome=Outcome.FAIL,
                subject=connector_id,
                severity="high",
                classification="infrastructure" if state != "READY" else "configuration",
                message="connector: " + "; ".join(problems),
                figures=figures,
            )
        ]
    return [
        Finding(
            rule=ID,
            outcome=Outcome.PASS,
            subject=connector_id,
            figures=figures,
            message=f"connector READY, {connector.machine_type} x "
            f"{connector.min_instances}-{connector.max_instances}",
        )
    ]


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
        classification="infrastructure",
        message=message,
        figures=figures,
        remediation=DIRECT_REMEDIATION if path == "direct" else REMEDIATION,
    )


def run(ctx: Context) -> list[Finding]:
    findings = _declared(ctx)
    result = ctx.storm()
    if result is None or result.baseline_seconds is None:
        reason = "no storm timings (needs a storm runner and, for the idle baseline, a DSN)"
        return findings or skipped(ID, reason)
    limit = ctx.targets.criteria.connector_scaling_latency_seconds
    path = ctx.targets.egress_path or "connector"
    return [*findings, judge(result, result.baseline_seconds, limit, path)]

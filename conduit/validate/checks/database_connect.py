"""database-connect: K concurrent connections succeed, the slowest within the threshold."""

from __future__ import annotations

import asyncio

from conduit.core.settings import SuccessCriteria
from conduit.probe.classify import CUT, INFRASTRUCTURE
from conduit.probe.dsn import parse_dsn
from conduit.probe.run import probe
from conduit.report.model import Finding, Outcome
from conduit.validate.context import Context, skipped
from conduit.validate.storm import CloudRunStorm

ID = "database-connect"
DESCRIPTION = "K concurrent connections succeed and the slowest is under databaseConnectSeconds."


def _measure(ctx: Context, connections: int, budget: float) -> tuple[dict, str] | None:
    """The probe's result as JSON: here against --dsn, else from the probe job inside the VPC."""
    if ctx.targets.dsn:
        dsn = parse_dsn(ctx.targets.dsn)
        ctx.progress(f"{ID}: {connections} connections to {dsn}")
        return asyncio.run(probe(dsn, connections, budget)).as_dict(), str(dsn)
    if isinstance(ctx.storm_runner, CloudRunStorm):
        ctx.progress(f"{ID}: {connections} connections from one probe job task")
        result = ctx.storm_runner.probe_once(connections, budget)
        return (result, "probe job") if result is not None else None
    return None


REMEDIATION = (
    "infrastructure: check max_connections, the connector and the network; configuration: check "
    "the user, password secret and database name."
)


def judge(result: dict, criteria: SuccessCriteria, subject: str, cut: bool = False) -> Finding:
    """The probe's result against databaseConnectSeconds. `cut`: the run's deadline shortened
    the probe, so its timeouts are the deadline's, not the database's."""
    connections, succeeded = criteria.concurrent_connections, result["succeeded"]
    failures = dict(result["failures"])
    if cut and "timeout" in failures:
        failures[CUT] = failures.pop("timeout")
    slowest = result["connectSeconds"].get("max")  # None when nothing connected
    threshold = criteria.database_connect_seconds
    figures = {
        "connections": connections,
        "succeeded": succeeded,
        "outcomes": {"connected": succeeded, **failures},
        "connectSeconds": result["connectSeconds"],
        "thresholdSeconds": threshold,
    }
    if result["ok"] and slowest is not None and slowest < threshold:
        return Finding(
            rule=ID,
            outcome=Outcome.PASS,
            subject=subject,
            figures=figures,
            message=f"{connections} connections in {slowest:.3f} s at most (threshold "
            f"{threshold:g} s)",
        )
    if result["ok"]:
        message = (
            f"all {connections} connected but the slowest took {slowest:.2f} s (threshold "
            f"{threshold:g} s)"
        )
        classification = INFRASTRUCTURE
    else:
        kinds = ", ".join(f"{k} x{n}" for k, n in sorted(failures.items()))
        message = f"{succeeded}/{connections} connected; failures: {kinds}"
        classification = result["classification"] or INFRASTRUCTURE
    return Finding(
        rule=ID,
        outcome=Outcome.FAIL,
        subject=subject,
        figures=figures,
        severity="critical",
        classification=classification,
        message=message,
        evidence=tuple(result["errors"][:5]),
        remediation=REMEDIATION,
    )


def run(ctx: Context) -> list[Finding]:
    criteria = ctx.targets.criteria
    # A little past the threshold, so a slow connection is measured rather than cut off.
    wanted = criteria.database_connect_seconds * 1.5
    budget = min(wanted, ctx.deadline.remaining())
    measured = _measure(ctx, criteria.concurrent_connections, budget)
    if measured is None:
        return skipped(
            ID,
            "no DSN and no probe job result: give --dsn where the database is reachable, or "
            "deploy the probe job (conduit:probeJob)",
        )
    result, subject = measured
    return [judge(result, criteria, subject, cut=budget < wanted)]

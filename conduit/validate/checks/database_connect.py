"""database-connect: K concurrent connections succeed, the slowest within the threshold."""

from __future__ import annotations

import asyncio

from conduit.probe.dsn import parse_dsn
from conduit.probe.run import probe
from conduit.report.model import Finding, Outcome
from conduit.validate.checks.startup_storm import CloudRunStorm
from conduit.validate.context import Context, skipped

ID = "database-connect"
DESCRIPTION = "K concurrent connections succeed and the slowest is under databaseConnectSeconds."


def _measure(ctx: Context, connections: int, budget: float) -> tuple[dict, str] | None:
    """The probe's result as JSON: here against --dsn, else from the probe job inside the VPC."""
    if ctx.targets.dsn:
        dsn = parse_dsn(ctx.targets.dsn)
        ctx.progress(f"{ID}: {connections} connections to {dsn}")
        return asyncio.run(probe(dsn, connections, budget)).as_dict(), str(dsn)
    if isinstance(ctx.storm, CloudRunStorm):
        ctx.progress(f"{ID}: {connections} connections from one probe job task")
        result = ctx.storm.probe_once(connections, budget)
        return (result, "probe job") if result is not None else None
    return None


def run(ctx: Context) -> list[Finding]:
    criteria = ctx.targets.criteria
    connections = criteria.concurrent_connections
    # A little past the threshold, so a slow connection is measured rather than cut off.
    budget = min(criteria.database_connect_seconds * 1.5, ctx.deadline.remaining())
    measured = _measure(ctx, connections, budget)
    if measured is None:
        return skipped(
            ID,
            "no DSN and no probe job result: give --dsn where the database is reachable, or "
            "deploy the probe job (conduit:probeJob)",
        )
    result, subject = measured
    slowest = result["connectSeconds"].get("max")  # None when nothing connected
    succeeded = result["succeeded"]
    figures = {
        "connections": connections,
        "succeeded": succeeded,
        "connectSeconds": result["connectSeconds"],
        "thresholdSeconds": criteria.database_connect_seconds,
        "failures": result["failures"],
    }
    threshold = criteria.database_connect_seconds
    if result["ok"] and slowest is not None and slowest < threshold:
        return [
            Finding(
                rule=ID,
                outcome=Outcome.PASS,
                subject=subject,
                figures=figures,
                message=f"{connections} connections in {slowest:.3f} s at most (threshold "
                f"{threshold:g} s)",
            )
        ]
    if result["ok"]:
        message = (
            f"all {connections} connected but the slowest took {slowest:.2f} s (threshold "
            f"{threshold:g} s)"
        )
        classification = "infrastructure"
    else:
        kinds = ", ".join(f"{k} x{n}" for k, n in sorted(result["failures"].items()))
        message = f"{succeeded}/{connections} connected; failures: {kinds}"
        classification = result["classification"]
    return [
        Finding(
            rule=ID,
            outcome=Outcome.FAIL,
            subject=subject,
            figures=figures,
            severity="critical",
            classification=classification,
            message=message,
            evidence=tuple(result["errors"][:5]),
            remediation="infrastructure: check max_connections, the connector and the network; "
            "configuration: check the user, password secret and database name.",
        )
    ]

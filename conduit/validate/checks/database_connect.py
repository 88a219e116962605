"""database-connect: K concurrent connections succeed, the slowest within the threshold."""

from __future__ import annotations

import asyncio

from conduit.probe.dsn import parse_dsn
from conduit.probe.run import probe
from conduit.report.model import Finding, Outcome
from conduit.validate.context import Context, skipped

ID = "database-connect"
DESCRIPTION = "K concurrent connections succeed and the slowest is under databaseConnectSeconds."


def run(ctx: Context) -> list[Finding]:
    if not ctx.targets.dsn:
        return skipped(
            ID,
            "no DSN: give --dsn where the database is reachable (startup-storm measures it "
            "from inside the VPC)",
        )
    criteria = ctx.targets.criteria
    dsn = parse_dsn(ctx.targets.dsn)
    connections = criteria.concurrent_connections
    # A little past the threshold, so a slow connection is measured rather than cut off.
    budget = min(criteria.database_connect_seconds * 1.5, ctx.deadline.remaining())
    ctx.progress(f"{ID}: {connections} connections to {dsn}")
    result = asyncio.run(probe(dsn, connections, budget))
    times = result.connect_times()
    slowest = max(times) if times else None
    figures = {
        "connections": connections,
        "succeeded": result.succeeded,
        "connectSeconds": result.as_dict()["connectSeconds"],
        "thresholdSeconds": criteria.database_connect_seconds,
        "failures": result.failures(),
    }
    if result.ok and slowest is not None and slowest < criteria.database_connect_seconds:
        return [
            Finding(
                rule=ID,
                outcome=Outcome.PASS,
                subject=str(dsn),
                figures=figures,
                message=f"{connections} connections in {slowest:.3f} s at most (threshold "
                f"{criteria.database_connect_seconds:g} s)",
            )
        ]
    if result.ok:
        message = (
            f"all {connections} connected but the slowest took {slowest:.2f} s (threshold "
            f"{criteria.database_connect_seconds:g} s)"
        )
        classification = "infrastructure"
    else:
        kinds = ", ".join(f"{k} x{n}" for k, n in sorted(result.failures().items()))
        message = f"{result.succeeded}/{connections} connected; failures: {kinds}"
        classification = result.classification()
    return [
        Finding(
            rule=ID,
            outcome=Outcome.FAIL,
            subject=str(dsn),
            figures=figures,
            severity="critical",
            classification=classification,
            message=message,
            evidence=tuple(sorted({a.failure.message for a in result.attempts if a.failure})[:5]),
            remediation="infrastructure: check max_connections, the connector and the network; "
            "configuration: check the user, password secret and database name.",
        )
    ]

"""database-connect: K concurrent connections succeed, the slowest within the threshold."""

from __future__ import annotations

import asyncio

from conduit.core.settings import SuccessCriteria
from conduit.probe.dsn import parse_dsn
from conduit.probe.run import probe
from conduit.report.model import Finding
from conduit.validate.connections import judge_burst
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
    return judge_burst(
        ID,
        result,
        criteria.concurrent_connections,
        criteria.database_connect_seconds,
        subject,
        REMEDIATION,
        cut,
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

"""database-connect: K concurrent connections succeed, the slowest within the threshold."""

from __future__ import annotations

import asyncio

from conduit.core.check_ids import CheckId
from conduit.core.failures import FailureClass
from conduit.core.settings import SuccessCriteria
from conduit.probe.postgres import parse_dsn, probe
from conduit.report.model import Finding
from conduit.validate.connections import judge_burst
from conduit.validate.context import Context, skipped
from conduit.validate.storm import PROBE_JOB_ROLES, CloudRunStorm

ID = CheckId.DATABASE_CONNECT
DESCRIPTION = "K concurrent connections succeed and the slowest is under databaseConnectSeconds."
ROLES = PROBE_JOB_ROLES
"""What the validator's account needs to run the probe job (with overrides: see
PROBE_JOB_ROLES) and read its results."""


def _measure(ctx: Context, connections: int, budget: float) -> tuple[dict, str] | None:
    """The probe's result as JSON: here against --dsn, else from the probe job inside the VPC."""
    if ctx.targets.dsn:
        dsn = parse_dsn(ctx.targets.dsn, ctx.targets.dsn_ca)
        ctx.progress(f"{ID}: {connections} connections to {dsn}")
        return asyncio.run(probe(dsn, connections, budget)).as_dict(), str(dsn)
    if isinstance(ctx.storm_runner, CloudRunStorm):
        ctx.progress(f"{ID}: {connections} connections from one probe job task")
        result = ctx.storm_runner.probe_once(connections, budget)
        return (result, "probe job") if result is not None else None
    return None


REMEDIES = {
    FailureClass.INFRASTRUCTURE: (
        "The database did not take the connections in time: check max_connections against the "
        "services' pools (cloudsql-connection-budget), the instance's state and the egress path "
        "(connector or Direct VPC)."
    ),
    FailureClass.CONFIGURATION: (
        "The database refused who or what was asked for: check the user, the password secret "
        "(DATABASE_PASSWORD) and the database name, or the DSN's host."
    ),
}
"""One remedy for each class a probe's failure ends in."""


def _missing(ctx: Context) -> str:
    """Exactly what was missing to probe the database, and where it is read from."""
    t = ctx.targets
    if not t.probe_job:
        return (
            f"no --dsn, and {t.lacks('probeJob')} (the database's private IP is reachable only "
            "inside the VPC, where the probe job runs; deploy it with conduit:probeJob)"
        )
    if not isinstance(ctx.storm_runner, CloudRunStorm):
        return (
            "the probe job is not run (--storm-runner none); give --dsn, or --storm-runner cloudrun"
        )
    return "the probe job ran but logged no result (Cloud Logging: the job's stdout)"


def judge(result: dict, criteria: SuccessCriteria, subject: str, cut: bool = False) -> Finding:
    """The probe's result against databaseConnectSeconds. `cut`: the run's deadline shortened
    the probe, so its timeouts are the deadline's, not the database's."""
    return judge_burst(
        ID,
        result,
        criteria.concurrent_connections,
        criteria.database_connect_seconds,
        subject,
        REMEDIES,
        cut,
    )


def run(ctx: Context) -> list[Finding]:
    criteria = ctx.targets.criteria
    # A little past the threshold, so a slow connection is measured rather than cut off.
    wanted = criteria.database_connect_seconds * 1.5
    budget = min(wanted, ctx.deadline.remaining())
    measured = _measure(ctx, criteria.concurrent_connections, budget)
    if measured is None:
        return skipped(ID, _missing(ctx))
    result, subject = measured
    return [judge(result, criteria, subject, cut=budget < wanted)]

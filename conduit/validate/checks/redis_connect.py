"""redis-connect: K concurrent Redis connections (TLS, AUTH, PING) succeed, the slowest within
redisConnectSeconds."""

from __future__ import annotations

import asyncio

from conduit.core.check_ids import CheckId
from conduit.core.failures import FailureClass
from conduit.core.settings import SuccessCriteria
from conduit.probe.redis import parse_redis_url, probe_redis
from conduit.report.model import Finding
from conduit.validate.connections import judge_burst
from conduit.validate.context import Context, skipped
from conduit.validate.storm import PROBE_JOB_ROLES, CloudRunStorm

ID = CheckId.REDIS_CONNECT
DESCRIPTION = "K concurrent Redis connections succeed and the slowest is under redisConnectSeconds."
ROLES = PROBE_JOB_ROLES
"""What the validator's account needs to run the probe job (with overrides: see
PROBE_JOB_ROLES) and read its results."""
REMEDIES = {
    FailureClass.INFRASTRUCTURE: (
        "Redis did not take the connections in time: check the instance's state, its clients "
        "limit and the egress path (connector or Direct VPC)."
    ),
    FailureClass.CONFIGURATION: (
        "Redis refused the session: check the AUTH secret (REDIS_AUTH) and TLS (rediss:// with "
        "the server's CA, as transitEncryption says), or the URL's host."
    ),
}
"""One remedy for each class a probe's failure ends in."""


def _measure(ctx: Context, connections: int, budget: float) -> tuple[dict, str] | None:
    """The probe's result as JSON: here against --redis-url, else from the probe job."""
    t = ctx.targets
    if t.redis_url:
        target = parse_redis_url(t.redis_url, t.redis_ca)
        ctx.progress(f"{ID}: {connections} connections to {target}")
        return asyncio.run(probe_redis(target, connections, budget)).as_dict(), str(target)
    if t.redis_host and isinstance(ctx.storm_runner, CloudRunStorm):
        ctx.progress(f"{ID}: {connections} connections from one probe job task")
        result = ctx.storm_runner.probe_once(connections, budget, ("--redis",))
        return (result, "probe job") if result is not None else None
    return None


def _missing(ctx: Context) -> str:
    """Exactly what was missing to probe Redis, and where it is read from."""
    t = ctx.targets
    if not t.redis_host:
        declared = t.settings is not None and t.settings.redis is not None
        where = t.lacks("redisHost") + (" (the stack file has conduit:redis)" if declared else "")
        return f"no --redis-url, and {where}"
    if not t.probe_job:
        return (
            f"Redis {t.redis_host} is reachable only inside the VPC, through the probe job, and "
            f"{t.lacks('probeJob')}; or give --redis-url where Redis is reachable"
        )
    if not isinstance(ctx.storm_runner, CloudRunStorm):
        return (
            "the probe job is not run (--dsn or --storm-runner runs the storm elsewhere); give "
            "--redis-url, or --storm-runner cloudrun"
        )
    return "the probe job ran but logged no result (Cloud Logging: the job's stdout)"


def judge(result: dict, criteria: SuccessCriteria, subject: str) -> Finding:
    """The probe's result against redisConnectSeconds."""
    return judge_burst(
        ID,
        result,
        criteria.concurrent_connections,
        criteria.redis_connect_seconds,
        subject,
        REMEDIES,
    )


def run(ctx: Context) -> list[Finding]:
    criteria = ctx.targets.criteria
    budget = min(criteria.redis_connect_seconds * 1.5, ctx.deadline.remaining())
    measured = _measure(ctx, criteria.concurrent_connections, budget)
    if measured is None:
        return skipped(ID, _missing(ctx))
    result, subject = measured
    return [judge(result, criteria, subject)]

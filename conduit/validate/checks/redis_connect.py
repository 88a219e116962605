"""redis-connect: K concurrent Redis connections (TLS, AUTH, PING) succeed, the slowest within
redisConnectSeconds."""

from __future__ import annotations

import asyncio

from conduit.core.settings import SuccessCriteria
from conduit.probe.redis_probe import parse_redis_url, probe_redis
from conduit.report.model import Finding
from conduit.validate.connections import judge_burst
from conduit.validate.context import Context, skipped
from conduit.validate.storm import CloudRunStorm

ID = "redis-connect"
DESCRIPTION = "K concurrent Redis connections succeed and the slowest is under redisConnectSeconds."
REMEDIATION = (
    "infrastructure: check the instance's state, its network and the connector; configuration: "
    "check the AUTH secret and TLS (rediss:// with the server's CA)."
)


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


def judge(result: dict, criteria: SuccessCriteria, subject: str) -> Finding:
    """The probe's result against redisConnectSeconds."""
    return judge_burst(
        ID,
        result,
        criteria.concurrent_connections,
        criteria.redis_connect_seconds,
        subject,
        REMEDIATION,
    )


def run(ctx: Context) -> list[Finding]:
    criteria = ctx.targets.criteria
    budget = min(criteria.redis_connect_seconds * 1.5, ctx.deadline.remaining())
    measured = _measure(ctx, criteria.concurrent_connections, budget)
    if measured is None:
        return skipped(
            ID,
            "no Redis URL and no probe job result: give --redis-url where Redis is reachable, "
            "or a stack with conduit:redis and a probe job",
        )
    result, subject = measured
    return [judge(result, criteria, subject)]

"""The `redis-connect` check in-process (conduit/validate/checks/redis_connect.py): K concurrent
Redis connections (TLS, AUTH, PING) succeed, the slowest within redisConnectSeconds. Whole
findings asserted, against the fake Google APIs and real servers."""

from __future__ import annotations

import pytest
from google.cloud import run_v2

from conduit.core.failures import FailureClass
from conduit.core.loader import parse_settings
from conduit.report.model import Outcome
from conduit.validate.checks import redis_connect
from conduit.validate.storm import CloudRunStorm
from tests.support.checks import CRITERIA, context, probe
from tests.support.google_stack import PROJECT, REGION
from tests.support.project import stack_config


def _redis_probe(succeeded: int, slowest: float | None, **failures: int) -> dict:
    result = probe(succeeded, slowest, **failures)
    if "authentication" not in failures and failures:
        result["classification"] = FailureClass.INFRASTRUCTURE
    return result


@pytest.mark.parametrize(("slowest", "outcome"), [(4.999, Outcome.PASS), (5.0, Outcome.FAIL)])
def test_redis_connections_just_under_the_threshold_pass(slowest: float, outcome: Outcome) -> None:
    finding = redis_connect.judge(_redis_probe(20, slowest), CRITERIA, "redis")
    assert (finding.rule, finding.outcome, finding.figures["thresholdSeconds"]) == (
        "redis-connect",
        outcome,
        5,
    )
    assert finding.classification == (
        "" if outcome is Outcome.PASS else FailureClass.INFRASTRUCTURE
    )


def test_redis_failures_carry_the_probe_s_classification_and_counts() -> None:
    result = _redis_probe(18, 0.01, authentication=2)
    finding = redis_connect.judge(result, CRITERIA, "redis")
    assert (finding.classification, finding.message) == (
        FailureClass.CONFIGURATION,
        "18/20 connected; failures: authentication x2",
    )
    assert finding.figures["outcomes"] == {"connected": 18, "authentication": 2}
    assert finding.remediation == redis_connect.REMEDIES[FailureClass.CONFIGURATION]


def test_redis_connect_against_a_real_redis_and_skipped_without_one() -> None:
    from tests.support.redis_server import start_redis

    server = start_redis()
    try:
        ctx = context(
            redis_url=server.url(),
            criteria=CRITERIA.model_copy(update={"concurrent_connections": 4}),
        )
        (finding,) = redis_connect.run(ctx)
        assert (finding.outcome, finding.figures["outcomes"]) == (Outcome.PASS, {"connected": 4})
        assert finding.subject == f"redis://:***@127.0.0.1:{server.port}/0"
        assert server.settle() == 0
    finally:
        server.stop()
    (skipped_finding,) = redis_connect.run(context(source="o.json"))
    assert (skipped_finding.outcome, skipped_finding.message) == (
        Outcome.SKIPPED,
        "no --redis-url, and the outputs file o.json has no redisHost",
    )


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        # The case: the stack has Redis and a probe job; only the outputs lack the job.
        (
            {"redis_host": "10.60.1.4"},
            "Redis 10.60.1.4 is reachable only inside the VPC, through the probe job, and the "
            "outputs file o.json has no probeJob; or give --redis-url where Redis is reachable",
        ),
        (
            {"settings": parse_settings(stack_config(), "Pulumi.staging.yaml")},
            "no --redis-url, and the outputs file o.json has no redisHost (the stack file has "
            "conduit:redis)",
        ),
        (
            {"redis_host": "10.60.1.4", "probe_job": "projects/p/locations/r/jobs/j"},
            "the probe job is not run (--dsn or --storm-runner runs the storm elsewhere); give "
            "--redis-url, or --storm-runner cloudrun",
        ),
    ],
)
def test_a_redis_skip_names_exactly_what_was_missing(targets: dict, message: str) -> None:
    (finding,) = redis_connect.run(context(source="o.json", **targets))
    assert (finding.outcome, finding.message) == (Outcome.SKIPPED, message)


def test_redis_connect_through_the_probe_job_inside_the_vpc(google) -> None:
    from google.cloud.logging_v2.types import LogEntry
    from google.protobuf import struct_pb2

    fake, endpoint = google
    job = f"projects/{PROJECT}/locations/{REGION}/jobs/backend-probe"
    fake.executions[job] = run_v2.Execution(
        name=f"{job}/executions/backend-probe-r1", task_count=1, succeeded_count=1
    )
    payload = struct_pb2.Struct()
    payload.update(_redis_probe(20, 0.02))
    fake.job_log_entries = [LogEntry(json_payload=payload)]
    ctx = context(endpoint, redis_host="10.60.1.4", probe_job=job)
    ctx.storm_runner = CloudRunStorm(ctx.google, job)
    (finding,) = redis_connect.run(ctx)
    assert (finding.outcome, finding.subject) == (Outcome.PASS, "probe job")
    (container,) = fake.bodies[0]["overrides"]["containerOverrides"]
    assert container["args"] == ["probe", "--redis", "--connections", "20", "--deadline", "7.5"]

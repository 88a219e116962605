"""The validator's checks together: one storm judged by two checks, a failing endpoint's class from
the dependencies the other checks reached, a skip the probe-job checks share."""

from __future__ import annotations

import pytest

from conduit.core.failures import FailureClass
from conduit.report.model import Finding, Outcome
from conduit.validate.checks import (
    connector_scaling,
    database_connect,
    redis_connect,
    startup_storm,
)
from conduit.validate.run import route_by_reachable_dependencies
from conduit.validate.storm import CloudRunStorm
from tests.support.checks import LATENCY, SUBNET_ID, context, through_path


def test_the_storm_runs_once_for_both_checks_and_its_fastest_task_is_the_baseline() -> None:
    ctx = through_path(
        context(connector_id=None, subnet_id=SUBNET_ID, egress_path="direct"), 0.02, 0.5
    )
    (scaling,) = connector_scaling.run(ctx)
    (storm,) = startup_storm.run(ctx)
    assert ctx.storm_runner.runs == 1
    assert scaling.subject == SUBNET_ID
    assert scaling.figures == {
        **LATENCY,
        "egressPath": "direct",
        "results": {"scaling": "pass"},
    }
    assert storm.outcome is Outcome.PASS


# routing across checks


def _finding(rule: str, outcome: Outcome, classification: str = "") -> Finding:
    return Finding(rule=rule, outcome=outcome, message="m", classification=classification)


def test_a_failing_endpoint_with_reachable_dependencies_is_the_application_s() -> None:
    health = _finding("health-endpoints", Outcome.FAIL, FailureClass.INFRASTRUCTURE)
    database = _finding("database-connect", Outcome.PASS)
    redis = _finding("redis-connect", Outcome.PASS)
    routed = route_by_reachable_dependencies([health, database, redis], has_redis=True)
    assert routed[0] == Finding(
        rule="health-endpoints",
        outcome=Outcome.FAIL,
        message="m",
        classification=FailureClass.APPLICATION,
        evidence=(
            "the app's dependencies answered: database-connect passed, redis-connect passed",
        ),
    )
    assert routed[1:] == [database, redis]


@pytest.mark.parametrize(
    ("findings", "has_redis"),
    [
        # Redis in the stack but not measured: no evidence the app alone is at fault.
        ([_finding("database-connect", Outcome.PASS)], True),
        ([_finding("database-connect", Outcome.FAIL, FailureClass.INFRASTRUCTURE)], False),
        ([_finding("database-connect", Outcome.SKIPPED)], False),
    ],
)
def test_without_every_dependency_reached_the_endpoint_keeps_its_class(
    findings: list[Finding], has_redis: bool
) -> None:
    health = _finding("health-endpoints", Outcome.FAIL, FailureClass.INFRASTRUCTURE)
    assert route_by_reachable_dependencies([health, *findings], has_redis)[0] == health


def test_a_configuration_failure_stays_configuration() -> None:
    refused = _finding("health-endpoints", Outcome.FAIL, FailureClass.CONFIGURATION)
    database = _finding("database-connect", Outcome.PASS)
    assert route_by_reachable_dependencies([refused, database], False)[0] == refused


class _Unlogged(CloudRunStorm):
    """The probe job ran, and Cloud Logging never returned its task's result."""

    def __init__(self) -> None:
        super().__init__(None, "projects/p/locations/r/jobs/j")

    def probe_once(self, connections: int, deadline: float, target: tuple[str, ...] = ()):
        return None


def test_a_probe_job_that_logged_no_result_is_a_skip_saying_where_it_is_read_from() -> None:
    ctx = context(probe_job="projects/p/locations/r/jobs/j", redis_host="10.60.1.4")
    ctx.storm_runner = _Unlogged()
    reason = "the probe job ran but logged no result (Cloud Logging: the job's stdout)"
    for check in (database_connect, redis_connect):
        assert check.run(ctx) == [
            Finding(rule=check.ID, outcome=Outcome.SKIPPED, severity="low", message=reason)
        ]

"""The `connector-scaling` check in-process (conduit/validate/checks/connector_scaling.py): the
egress path scales out in time. The connector is READY as declared, and connection times during
the storm return to the idle baseline within connectorScalingLatencySeconds. On Direct VPC
egress there is no connector to read: the same storm measures the Direct VPC path against the
same criterion (the id stays, so CI's --only/--skip do). Whole findings asserted, against the
fake Google APIs and real servers."""

from __future__ import annotations

import pytest
from google.cloud import vpcaccess_v1

from conduit.core.failures import FailureClass
from conduit.report.model import Finding, Outcome
from conduit.validate.checks import connector_scaling
from conduit.validate.google import NOT_FOUND
from conduit.validate.storm import LocalStorm, Task
from tests.support.checks import LATENCY, SUBNET_ID, context, storm_result, through_path
from tests.support.google_stack import CONNECTOR


@pytest.mark.parametrize(
    ("baseline", "seconds", "slow"),
    [
        # The slow limit is max(2 x baseline, baseline + 0.1): 0.15 s here ...
        (0.05, 0.15, 0),
        (0.05, 0.1501, 1),
        # ... and 0.4 s for a 0.2 s baseline.
        (0.2, 0.4, 0),
        (0.2, 0.4001, 1),
    ],
)
def test_a_task_is_slow_just_past_the_limit(baseline: float, seconds: float, slow: int) -> None:
    result = storm_result(
        Task(ok=True, start=0.0, seconds=0.01), Task(ok=True, start=1.0, seconds=seconds)
    )
    latency, count = connector_scaling.scaling_latency(result, baseline)
    assert (latency, count) == ((1.0 + seconds, 1) if slow else (0.0, 0))


def test_latency_counts_from_the_first_attempt_and_failed_tasks_are_slow() -> None:
    result = storm_result(
        Task(ok=True, start=2.0, seconds=0.01),
        Task(ok=True, start=2.5, seconds=3.0),
        Task(ok=False, start=None, seconds=None, failure="timeout"),
        Task(ok=False, start=4.0, seconds=1.5, failure="refused"),
    )
    # 2.5 - 2 + 3 = 3.5; the failure without a start counts from the first attempt (0 s);
    # 4 - 2 + 1.5 = 3.5.
    assert connector_scaling.scaling_latency(result, 0.05) == (3.5, 3)


def test_on_direct_vpc_the_same_storm_judges_the_direct_path() -> None:
    result = storm_result(
        Task(ok=True, start=0.0, seconds=0.01), Task(ok=True, start=1.0, seconds=2.0)
    )
    assert connector_scaling.judge(result, 0.05, 2.999, "direct") == Finding(
        rule="connector-scaling",
        outcome=Outcome.FAIL,
        severity="critical",
        classification=FailureClass.INFRASTRUCTURE,
        message=(
            "Direct VPC egress: connection times settled 3.00 s after the burst began (1 slow "
            "tasks; idle baseline 50 ms; threshold 2.999 s)"
        ),
        figures={
            "egressPath": "direct",
            "latencySeconds": 3.0,
            "baselineSeconds": 0.05,
            "baselineFrom": "idle connections",
            "slowTasks": 1,
            "thresholdSeconds": 2.999,
        },
        remediation=connector_scaling.DIRECT_REMEDIATION,
    )


def test_no_slow_task_is_no_latency() -> None:
    assert connector_scaling.scaling_latency(storm_result(), 0.05) == (0.0, 0)


@pytest.mark.parametrize(("limit", "outcome"), [(3.0, Outcome.PASS), (2.999, Outcome.FAIL)])
def test_scaling_latency_at_the_limit_passes(limit: float, outcome: Outcome) -> None:
    result = storm_result(
        Task(ok=True, start=0.0, seconds=0.01), Task(ok=True, start=1.0, seconds=2.0)
    )
    finding = connector_scaling.judge(result, 0.05, limit)
    message = (
        f"connection times settled 3.00 s after the burst began (1 slow tasks; idle baseline "
        f"50 ms; threshold {limit:g} s)"
    )
    figures = {
        "egressPath": "connector",
        "latencySeconds": 3.0,
        "baselineSeconds": 0.05,
        "baselineFrom": "idle connections",
        "slowTasks": 1,
        "thresholdSeconds": limit,
    }
    if outcome is Outcome.PASS:
        assert finding == Finding(
            rule="connector-scaling", outcome=outcome, message=message, figures=figures
        )
    else:
        assert finding == Finding(
            rule="connector-scaling",
            outcome=outcome,
            severity="critical",
            classification=FailureClass.INFRASTRUCTURE,
            message=message,
            figures=figures,
            remediation=connector_scaling.REMEDIATION,
        )


DECLARED = {"state": "READY", "machineType": "e2-standard-4", "minInstances": 3, "maxInstances": 10}


SETTLED = (
    "connection times settled 0.50 s after the burst began (1 slow tasks; idle baseline 20 ms; "
    "threshold 10 s)"
)


def test_a_ready_connector_as_declared_and_a_settled_storm_is_one_pass(google) -> None:
    _, endpoint = google
    ctx = through_path(context(endpoint), 0.02, 0.5)
    assert connector_scaling.run(ctx) == [
        Finding(
            rule="connector-scaling",
            outcome=Outcome.PASS,
            subject=CONNECTOR,
            figures={**DECLARED, **LATENCY, "results": {"declared": "pass", "scaling": "pass"}},
            message=f"connector READY, e2-standard-4 x 3-10; {SETTLED}",
        )
    ]


def test_drift_and_a_slow_storm_are_parts_of_one_failure(google) -> None:
    """The issue's case: drift failed and the storm passed, as two rows; now one outcome."""
    fake, endpoint = google
    fake.objects[CONNECTOR].min_instances = 2
    ctx = through_path(context(endpoint), 0.02, 0.5)
    assert connector_scaling.run(ctx) == [
        Finding(
            rule="connector-scaling",
            outcome=Outcome.FAIL,
            subject=CONNECTOR,
            severity="high",
            classification=FailureClass.CONFIGURATION,
            figures={
                **DECLARED,
                "minInstances": 2,
                **LATENCY,
                "results": {"declared": "fail", "scaling": "pass"},
            },
            message=f"connector: minInstances is 2, declared 3; {SETTLED}",
            remediation=connector_scaling.DRIFT_REMEDIATION,
        )
    ]


def test_a_slow_storm_through_a_connector_as_declared_fails_as_infrastructure(google) -> None:
    _, endpoint = google
    ctx = through_path(context(endpoint), 0.02, 10.5)
    (finding,) = connector_scaling.run(ctx)
    assert (finding.outcome, finding.classification, finding.remediation) == (
        Outcome.FAIL,
        FailureClass.INFRASTRUCTURE,
        connector_scaling.REMEDIATION,
    )
    assert finding.figures["results"] == {"declared": "pass", "scaling": "fail"}
    assert finding.message.startswith("connector READY, e2-standard-4 x 3-10; connection times ")


def test_a_connector_as_declared_with_no_storm_through_it_is_skipped(google) -> None:
    _, endpoint = google
    (finding,) = connector_scaling.run(context(endpoint, source="o.json"))
    assert finding == Finding(
        rule="connector-scaling",
        outcome=Outcome.SKIPPED,
        subject=CONNECTOR,
        severity="low",
        figures={**DECLARED, "results": {"declared": "pass", "scaling": "skipped"}},
        message="connector READY, e2-standard-4 x 3-10; scaling not measured: no storm through "
        "the connector (the probe job runs it inside the VPC: the outputs file o.json has no "
        "probeJob)",
    )
    local = context(endpoint)
    local.storm_runner = LocalStorm("postgresql://app:secret@127.0.0.1:1/app")
    (here,) = connector_scaling.run(local)
    assert (here.outcome, here.message.split("; ", 1)[1]) == (
        Outcome.SKIPPED,
        "scaling not measured: the storm ran from this machine (--dsn), not through the connector",
    )


def test_localhost_with_no_connector_is_skipped_with_the_reason() -> None:
    """The issue's case: a storm against a local database, no connector anywhere."""
    ctx = through_path(context(connector_id=None, source="o.json"), 0.02, 0.5)
    assert connector_scaling.run(ctx) == [
        Finding(
            rule="connector-scaling",
            outcome=Outcome.SKIPPED,
            severity="low",
            message="no connector to measure: the outputs file o.json has no connectorId, and a "
            "storm from here to --dsn goes through none",
        )
    ]
    assert ctx.storm_runner.runs == 0


def test_a_connector_that_is_not_ready_is_infrastructure(google) -> None:
    fake, endpoint = google
    fake.objects[CONNECTOR].state = vpcaccess_v1.Connector.State.ERROR
    (finding,) = connector_scaling.run(context(endpoint, settings=None))
    assert (finding.outcome, finding.classification, finding.remediation) == (
        Outcome.FAIL,
        FailureClass.INFRASTRUCTURE,
        connector_scaling.STATE_REMEDIATION,
    )
    assert finding.message.startswith("connector: state is ERROR, not READY; scaling not measured")


def test_connector_scaling_reports_an_api_failure(google) -> None:
    fake, endpoint = google
    fake.errors[CONNECTOR] = 404
    (finding,) = connector_scaling.run(context(endpoint))
    assert (finding.outcome, finding.classification, finding.subject, finding.remediation) == (
        Outcome.FAIL,
        FailureClass.CONFIGURATION,
        CONNECTOR,
        NOT_FOUND,
    )
    assert finding.message.startswith("connector: not found: ")


def test_a_direct_vpc_stack_reads_no_connector_and_judges_its_storm_as_direct() -> None:
    ctx = through_path(context(connector_id=None, subnet_id=SUBNET_ID, egress_path="direct"), 0.02)
    (scaling,) = connector_scaling.run(ctx)
    assert scaling.outcome is Outcome.PASS
    assert scaling.message.startswith("Direct VPC egress: connection times settled 0.00 s")
    assert scaling.figures["egressPath"] == "direct"
    unmeasured = context(connector_id=None, egress_path="direct", source="o.json")
    (skipped_finding,) = connector_scaling.run(unmeasured)
    assert (skipped_finding.subject, skipped_finding.outcome, skipped_finding.message) == (
        "Direct VPC egress",
        Outcome.SKIPPED,
        "scaling not measured: no storm through Direct VPC egress (the probe job runs it inside "
        "the VPC: the outputs file o.json has no probeJob)",
    )


def test_a_connector_both_not_ready_and_drifted_lists_both(google) -> None:
    fake, endpoint = google
    fake.objects[CONNECTOR].state = vpcaccess_v1.Connector.State.ERROR
    fake.objects[CONNECTOR].max_instances = 4
    (finding,) = connector_scaling.run(context(endpoint))
    assert (finding.rule, finding.message.split("; scaling")[0]) == (
        "connector-scaling",
        "connector: state is ERROR, not READY; maxInstances is 4, declared 10",
    )
    fake.errors[CONNECTOR] = 500
    (failed,) = connector_scaling.run(context(endpoint))
    assert (failed.rule, failed.classification) == (
        "connector-scaling",
        FailureClass.INFRASTRUCTURE,
    )


def test_scaling_figures_are_rounded_and_the_baseline_shown_in_ms() -> None:
    result = storm_result(
        Task(ok=True, start=0.0, seconds=0.001), Task(ok=True, start=0.0, seconds=5.123456)
    )
    finding = connector_scaling.judge(result, 0.999, 10)
    assert (finding.figures["latencySeconds"], finding.figures["baselineSeconds"]) == (5.123, 0.999)
    assert "idle baseline 999 ms" in finding.message
    rounded = connector_scaling.judge(result, 0.123456, 10).figures["baselineSeconds"]
    assert rounded == 0.1235


def test_a_failed_task_without_timings_is_slow_at_the_first_attempt() -> None:
    result = storm_result(Task(ok=False, failure="no-result"))
    assert connector_scaling.scaling_latency(result, 0.05) == (0.0, 1)

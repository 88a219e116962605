"""The `service-startup-rate` check in-process (conduit/validate/checks/service_startup_rate.py):
the service's own instance start-ups over a window, from Cloud Logging. Whole findings asserted,
against the fake Google APIs and real servers."""

from __future__ import annotations

import datetime as dt

from conduit.core.failures import FailureClass
from conduit.report.model import Finding, Outcome
from conduit.validate.checks import service_startup_rate
from conduit.validate.deadline import Deadline
from tests.support.checks import context
from tests.support.google_stack import PROBE_FAILED, STARTED, healthy_google, log_entry
from tests.support.http_servers import StandIn


def test_the_log_filter_names_the_service_its_system_log_and_the_window() -> None:
    since = dt.datetime(2026, 11, 30, 3, 4, 5, tzinfo=dt.UTC)
    assert service_startup_rate.log_filter("p", "backend", since) == (
        'resource.type="cloud_run_revision" AND resource.labels.service_name="backend" '
        'AND logName="projects/p/logs/run.googleapis.com%2Fvarlog%2Fsystem" '
        'AND timestamp>="2026-11-30T03:04:05Z" '
        'AND (textPayload:"STARTUP" OR textPayload:"Container called exit")'
    )


def test_tally_counts_instances_by_their_start_up_outcome() -> None:
    entries = [
        ("a", STARTED),
        ("b", PROBE_FAILED),
        ("c", "Container called exit(3)."),
        ("d", "Container called exit(0)."),
        ("e", "Container called exit(3)."),
        ("e", STARTED),
        ("f", "Container called exit(1)."),
    ]
    assert service_startup_rate.tally(entries) == {
        "starts": 6,
        "succeeded": 2,
        "failedApplication": 2,
        "failedInfrastructure": 2,
        "exitCodes": {"3": 1, "1": 1},
    }


def _rate(google, entries: list) -> Finding:
    fake, endpoint = google
    fake.log_entries = entries
    (finding,) = service_startup_rate.run(context(endpoint))
    return finding


def test_start_ups_at_exactly_the_success_rate_pass(google) -> None:
    entries = [log_entry(f"i{n}", STARTED) for n in range(9)] + [log_entry("x", PROBE_FAILED)]
    assert _rate(google, entries) == Finding(
        rule="service-startup-rate",
        outcome=Outcome.PASS,
        subject="backend",
        message="9/10 instance start-ups succeeded (90%, threshold 90%) in the last 60 min",
        figures={
            "starts": 10,
            "succeeded": 9,
            "failedApplication": 0,
            "failedInfrastructure": 1,
            "exitCodes": {},
            "windowSeconds": 3600,
            "successRate": 0.9,
        },
    )


def test_as_many_app_exits_as_probe_failures_is_the_application(google) -> None:
    entries = [log_entry(f"i{n}", STARTED) for n in range(8)]
    entries += [log_entry("x", PROBE_FAILED), log_entry("y", "Container called exit(3).")]
    finding = _rate(google, entries)
    assert finding == Finding(
        rule="service-startup-rate",
        outcome=Outcome.FAIL,
        subject="backend",
        severity="critical",
        message="8/10 instance start-ups succeeded (80%, threshold 90%) in the last 60 min",
        figures={
            "starts": 10,
            "succeeded": 8,
            "failedApplication": 1,
            "failedInfrastructure": 1,
            "exitCodes": {"3": 1},
            "windowSeconds": 3600,
            "successRate": 0.8,
        },
        classification=FailureClass.APPLICATION,
        evidence=("exit(3) x1",),
        remediation=service_startup_rate.REMEDIATION,
    )


def test_more_probe_failures_than_app_exits_is_infrastructure(google) -> None:
    entries = [log_entry("x", PROBE_FAILED), log_entry("z", PROBE_FAILED)]
    entries.append(log_entry("y", "Container called exit(3)."))
    assert _rate(google, entries).classification == FailureClass.INFRASTRUCTURE


def test_no_start_ups_logged_is_skipped(google) -> None:
    finding = _rate(google, [])
    assert (finding.outcome, finding.message) == (
        Outcome.SKIPPED,
        "no instance start-ups logged in the last 60 min",
    )
    assert service_startup_rate.run(context(project=None))[0].outcome is Outcome.SKIPPED


def test_a_logging_refusal_is_the_validator_s_access(google) -> None:
    fake, endpoint = google
    fake.errors["entries"] = 403
    (finding,) = service_startup_rate.run(context(endpoint))
    assert (finding.outcome, finding.classification) == (
        Outcome.FAIL,
        FailureClass.VALIDATOR_ACCESS,
    )
    assert finding.message.startswith("Cloud Logging: permission denied")
    assert finding.remediation.startswith("Grant the validator's account `roles/logging.viewer`:")


# the rest of each check's edges


def test_start_ups_without_an_instance_label_count_by_entry() -> None:
    from google.cloud.logging_v2.types import LogEntry

    fake = healthy_google()
    fake.log_entries = [
        LogEntry(insert_id="a", text_payload=STARTED),
        LogEntry(insert_id="b", text_payload="Container called exit(3)."),
        LogEntry(insert_id="c"),
    ]
    endpoint = fake.start()
    try:
        (finding,) = service_startup_rate.run(context(endpoint))
    finally:
        fake.stop()
    assert {k: finding.figures[k] for k in ("starts", "succeeded", "failedApplication")} == {
        "starts": 3,
        "succeeded": 1,
        "failedApplication": 1,
    }


def test_a_logging_api_that_never_answers_is_cut_at_the_deadline() -> None:
    server = StandIn("hang")
    ctx = context(f"http://127.0.0.1:{server.url.rsplit(':', 1)[1]}")
    ctx.deadline = Deadline(0.5)
    try:
        (finding,) = service_startup_rate.run(ctx)
    finally:
        server.stop()
    assert (finding.outcome, finding.classification, finding.subject) == (
        Outcome.FAIL,
        FailureClass.INFRASTRUCTURE,
        "backend",
    )
    assert finding.message == (
        "Cloud Logging: TimeoutError: Cloud Logging did not answer before the deadline"
    )


def test_an_api_error_page_becomes_one_line_of_the_finding() -> None:
    server = StandIn("down")  # answers 503 with a body, as a proxy's error page would
    try:
        (finding,) = service_startup_rate.run(context(server.url))
    finally:
        server.stop()
    assert finding.message.startswith("Cloud Logging: Google API error 503: POST ")
    assert "\n" not in finding.message

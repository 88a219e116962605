"""The `database-connect` check in-process (conduit/validate/checks/database_connect.py): K
concurrent connections succeed, the slowest within the threshold. Whole findings asserted,
against the fake Google APIs and real servers."""

from __future__ import annotations

from conduit.core.failures import CUT, FailureClass
from conduit.probe.postgres import parse_dsn
from conduit.report.model import Finding, Outcome
from conduit.validate.checks import database_connect
from tests.support.checks import CRITERIA, context, probe


def _database(outcome: Outcome, message: str, result: dict, **extra) -> Finding:
    fields = {
        "rule": "database-connect",
        "outcome": outcome,
        "subject": "dsn",
        "message": message,
        "figures": {
            "connections": 20,
            "succeeded": result["succeeded"],
            "outcomes": extra.pop("outcomes", {"connected": result["succeeded"]}),
            "connectSeconds": result["connectSeconds"],
            "thresholdSeconds": 30,
        },
    }
    if outcome is Outcome.FAIL:
        fields |= {
            "severity": "critical",
            "evidence": tuple(result["errors"][:5]),
            # The one remedy of the class found.
            "remediation": database_connect.REMEDIES[extra["classification"]],
        }
    return Finding(**fields, **extra)


def test_connections_just_under_the_threshold_pass() -> None:
    result = probe(20, 29.999)
    assert database_connect.judge(result, CRITERIA, "dsn") == _database(
        Outcome.PASS, "20 connections in 29.999 s at most (threshold 30 s)", result
    )


def test_connected_at_exactly_the_threshold_is_slow_infrastructure() -> None:
    result = probe(20, 30.0)
    assert database_connect.judge(result, CRITERIA, "dsn") == _database(
        Outcome.FAIL,
        "all 20 connected but the slowest took 30.00 s (threshold 30 s)",
        result,
        classification=FailureClass.INFRASTRUCTURE,
    )


def test_failed_connections_carry_the_probe_s_classification_and_counts() -> None:
    result = probe(17, 0.2, authentication=1, timeout=2)
    assert database_connect.judge(result, CRITERIA, "dsn") == _database(
        Outcome.FAIL,
        "17/20 connected; failures: authentication x1, timeout x2",
        result,
        classification=FailureClass.CONFIGURATION,
        outcomes={"connected": 17, "authentication": 1, "timeout": 2},
    )


def test_timeouts_of_a_probe_the_deadline_shortened_are_counted_as_cut() -> None:
    result = probe(0, None, timeout=20)
    finding = database_connect.judge(result, CRITERIA, "dsn", cut=True)
    assert finding == _database(
        Outcome.FAIL,
        f"0/20 connected; failures: {CUT} x20",
        result,
        classification=FailureClass.INFRASTRUCTURE,
        outcomes={"connected": 0, CUT: 20},
    )


def test_database_connect_without_a_dsn_or_a_probe_job_is_skipped() -> None:
    ((finding),) = database_connect.run(context(source="o.json"))
    assert (finding.outcome, finding.message) == (
        Outcome.SKIPPED,
        "no --dsn, and the outputs file o.json has no probeJob (the database's private IP is "
        "reachable only inside the VPC, where the probe job runs; deploy it with "
        "conduit:probeJob)",
    )
    (not_run,) = database_connect.run(context(probe_job="projects/p/locations/r/jobs/j"))
    assert not_run.message == (
        "the probe job is not run (--storm-runner none); give --dsn, or --storm-runner cloudrun"
    )


def test_database_connect_against_a_real_database(postgres) -> None:
    ctx = context(
        dsn=postgres.dsn(), criteria=CRITERIA.model_copy(update={"concurrent_connections": 3})
    )
    (finding,) = database_connect.run(ctx)
    assert (finding.outcome, finding.figures["outcomes"]) == (Outcome.PASS, {"connected": 3})
    assert finding.subject == str(parse_dsn(postgres.dsn()))

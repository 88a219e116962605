"""The `startup-storm` check in-process (conduit/validate/checks/startup_storm.py): the share of
the storm's tasks that connected meets startupSuccessRate. Whole findings asserted, against the
fake Google APIs and real servers."""

from __future__ import annotations

from conduit.core.failures import CUT, FailureClass
from conduit.report.model import Finding, Outcome
from conduit.validate.checks import startup_storm
from conduit.validate.storm import StormResult, Task
from tests.support.checks import CRITERIA, context, storm_result


def _tasks(ok: int, *failed: Task) -> StormResult:
    return storm_result(*[Task(ok=True, start=0.0, seconds=0.1)] * ok, *failed)


def test_a_storm_at_exactly_the_success_rate_passes() -> None:
    result = _tasks(
        9, Task(ok=False, failure="refused", classification=FailureClass.INFRASTRUCTURE)
    )
    assert startup_storm.judge(result, CRITERIA) == Finding(
        rule="startup-storm",
        outcome=Outcome.PASS,
        message="9/10 tasks connected (90%, threshold 90%)",
        figures={
            "runner": "local",
            "tasks": 10,
            "successRate": 0.9,
            "threshold": 0.9,
            "connectSeconds": {"p50": 0.1, "p95": 0.1, "p99": 0.1, "max": 0.1, "mean": 0.1},
            "outcomes": {"connected": 9, "refused": 1},
        },
    )


def test_one_task_under_the_success_rate_fails_classified_from_every_failed_task() -> None:
    result = _tasks(
        8,
        Task(ok=False, failure="timeout", classification=FailureClass.INFRASTRUCTURE),
        Task(ok=False, failure="authentication", classification=FailureClass.CONFIGURATION),
    )
    finding = startup_storm.judge(result, CRITERIA)
    assert finding == Finding(
        rule="startup-storm",
        outcome=Outcome.FAIL,
        severity="critical",
        message="8/10 tasks connected (80%, threshold 90%)",
        classification=FailureClass.CONFIGURATION,
        figures={
            "runner": "local",
            "tasks": 10,
            "successRate": 0.8,
            "threshold": 0.9,
            "connectSeconds": {"p50": 0.1, "p95": 0.1, "p99": 0.1, "max": 0.1, "mean": 0.1},
            "outcomes": {"connected": 8, "timeout": 1, "authentication": 1},
        },
        remediation=startup_storm.REMEDIATION,
    )


def test_tasks_the_budget_cut_are_no_evidence() -> None:
    cut = Task(ok=False, failure=CUT)
    only_cuts = startup_storm.judge(_tasks(0, cut, cut), CRITERIA)
    assert (only_cuts.classification, only_cuts.figures["outcomes"]) == (
        FailureClass.INFRASTRUCTURE,
        {CUT: 2},
    )
    # A task that failed without a reason of its own (its log never arrived) is not the app's.
    unlogged = startup_storm.judge(_tasks(0, Task(ok=False, failure="task-failed")), CRITERIA)
    assert unlogged.classification == FailureClass.INFRASTRUCTURE


def test_a_storm_of_no_tasks_fails_and_no_runner_skips() -> None:
    assert startup_storm.judge(_tasks(0), CRITERIA).outcome is Outcome.FAIL
    assert startup_storm.run(context(source="o.json")) == [
        Finding(
            rule="startup-storm",
            outcome=Outcome.SKIPPED,
            severity="low",
            message="no storm runner: no --dsn for a storm from here, and the outputs file "
            "o.json has no probeJob",
        )
    ]
    (chosen,) = startup_storm.run(context(probe_job="projects/p/locations/r/jobs/j"))
    assert chosen.message == "no storm runner: --storm-runner none"


def test_storm_figures_leave_failed_tasks_out_of_the_connect_times() -> None:
    result = storm_result(
        Task(ok=True, start=0.0, seconds=0.1),
        Task(ok=True, start=0.0, seconds=0.2),
        Task(
            ok=False,
            start=0.0,
            seconds=9.0,
            failure="timeout",
            classification=FailureClass.INFRASTRUCTURE,
        ),
        Task(ok=False),
    )
    finding = startup_storm.judge(result, CRITERIA)
    assert finding.figures["connectSeconds"]["max"] == 0.2
    assert finding.figures["outcomes"] == {"connected": 2, "timeout": 1, "failed": 1}
    assert finding.figures["successRate"] == 0.5
    assert finding.classification == FailureClass.INFRASTRUCTURE
    two_of_three = startup_storm.judge(_tasks(2, Task(ok=False)), CRITERIA)
    assert two_of_three.figures["successRate"] == 0.667

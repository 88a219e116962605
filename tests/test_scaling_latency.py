"""The connector scaling latency, exactly as the README defines it."""

from __future__ import annotations

from conduit.validate.checks.connector_scaling import scaling_latency
from conduit.validate.checks.startup_storm import StormResult, Task


def storm(*tasks: Task) -> StormResult:
    return StormResult(list(tasks), elapsed=10.0, runner="test")


def test_no_slow_task_means_no_latency() -> None:
    result = storm(Task(ok=True, start=1.5, seconds=0.01), Task(ok=True, start=1.6, seconds=0.012))
    assert scaling_latency(result, baseline=0.01) == (0.0, 0)


def test_latency_runs_from_the_first_attempt_to_the_last_slow_finish() -> None:
    result = storm(
        Task(ok=True, start=1.0, seconds=0.01),  # the first attempt: t = 0
        Task(ok=True, start=1.2, seconds=3.0),  # slow: finishes at 3.2
        Task(ok=True, start=4.0, seconds=0.05),  # fast again (limit is 0.11)
        Task(ok=False, start=2.0, seconds=0.5, failure="timeout"),  # failed: finishes at 1.5
    )
    latency, slow = scaling_latency(result, baseline=0.01)
    assert slow == 2 and round(latency, 3) == 3.2


def test_the_slow_limit_is_twice_the_baseline_or_100_ms_more() -> None:
    result = storm(Task(ok=True, start=0.0, seconds=0.35), Task(ok=True, start=0.0, seconds=0.45))
    assert scaling_latency(result, baseline=0.2) == (0.45, 1)  # limit max(0.4, 0.3) = 0.4

"""The unix-cron schedules of continuous validation (Cloud Scheduler's format), parsed just enough
to count runs per day and find the longest gap between two runs."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class CronError(ValueError):
    """A schedule Conduit cannot run on: says which field and what is allowed."""


@dataclass(frozen=True)
class Schedule:
    """When a schedule runs, as minutes of the week (0 = Sunday 00:00)."""

    expression: str
    minutes: tuple[int, ...]

    @property
    def runs_per_day(self) -> float:
        return len(self.minutes) / 7

    @property
    def longest_gap_minutes(self) -> int:
        """The longest wait from one run to the next, across the end of the week."""
        runs = self.minutes
        gaps = [later - earlier for earlier, later in itertools.pairwise(runs)]
        return max([*gaps, runs[0] + MINUTES_PER_WEEK - runs[-1]])


def _values(field: str, name: str, low: int, high: int, names: tuple[str, ...] = ()) -> set[int]:
    found: set[int] = set()
    for part in field.split(","):
        spec, _, step_text = part.partition("/")
        if (step_text and not step_text.isdigit()) or step_text == "0":
            raise CronError(f"{name}: step {step_text!r} must be a whole number above 0")
        step = int(step_text) if step_text else 1
        if spec == "*":
            start, end = low, high
        else:
            first, _, last = spec.partition("-")
            start = _number(first, name, low, high, names)
            end = _number(last, name, low, high, names) if last else (high if step_text else start)
        if start > end:
            raise CronError(f"{name}: range {spec!r} runs backwards")
        found.update(range(start, end + 1, step))
    return found


def _number(text: str, name: str, low: int, high: int, names: tuple[str, ...]) -> int:
    upper = text.upper()
    if upper in names:
        return names.index(upper)
    if not text.isdigit() or not low <= int(text) <= high:
        allowed = f"{low}-{high}" + (f" or {', '.join(names)}" if names else "")
        raise CronError(f"{name}: {text!r} is not in {allowed}")
    return int(text)


def parse(expression: str) -> Schedule:
    """`minute hour day-of-month month day-of-week`; day-of-month and month must be `*`
    (continuous validation runs every day of the year)."""
    fields = expression.split()
    if len(fields) != 5:
        raise CronError(
            f"{expression!r}: needs 5 fields (minute hour day-of-month month day-of-week), got "
            f"{len(fields)}"
        )
    minute, hour, day, month, weekday = fields
    if (day, month) != ("*", "*"):
        raise CronError(
            f"{expression!r}: day-of-month and month must be * (continuous validation runs every "
            "day)"
        )
    minutes = _values(minute, "minute", 0, 59)
    hours = _values(hour, "hour", 0, 23)
    # 7 is Sunday too, as in unix cron.
    days = {d % 7 for d in _values(weekday, "day-of-week", 0, 7, _DAY_NAMES)}
    week = sorted(d * MINUTES_PER_DAY + h * 60 + m for d in days for h in hours for m in minutes)
    return Schedule(expression, tuple(week))

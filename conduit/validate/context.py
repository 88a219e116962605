"""What every check gets: the targets, the global deadline, Google's clients and the storm."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conduit.probe.postgres import parse_dsn
from conduit.report.model import Finding, Outcome
from conduit.validate.deadline import Deadline
from conduit.validate.google import GoogleClients
from conduit.validate.storm import Runner, StormResult, measure
from conduit.validate.targets import Targets


@dataclass
class Context:
    """Shared by the checks of one run."""

    targets: Targets
    deadline: Deadline
    google: GoogleClients
    storm_tasks: int = 10
    health_wait: float = 60.0
    """Seconds the health endpoints may take to come up, all endpoints together."""
    storm_runner: Runner | None = None
    """Who runs the storm (on this machine or as the stack's probe job), or None."""
    progress: Callable[[str], None] = lambda _line: None
    id_token: str | None = field(default=None, repr=False)
    """An identity token given for the service (never printed); else one is fetched."""
    fetched: dict[tuple[str, str | None], Any] = field(default_factory=dict)
    """Deployed resources by (kind, name), fetched once per run (validate.deployed)."""
    _storm: StormResult | None = field(default=None, repr=False)
    _storm_error: Exception | None = field(default=None, repr=False)

    def storm(self) -> StormResult | None:
        """The storm's measurement, run once on first use: startup-storm and connector-scaling
        judge the same burst."""
        if self._storm_error is not None:
            # The storm failed to start (e.g. no credentials): every check that judges it
            # reports that, without starting it again.
            raise self._storm_error
        if self._storm is None and self.storm_runner is not None:
            self.progress(f"storm: {self.storm_tasks} tasks ({self.storm_runner.name} runner)")
            budget = min(
                self.targets.criteria.database_connect_seconds * 2, self.deadline.remaining()
            )
            try:
                self._storm = measure(
                    self.storm_runner,
                    self.storm_tasks,
                    budget,
                    parse_dsn(self.targets.dsn, self.targets.dsn_ca) if self.targets.dsn else None,
                    self.deadline,
                )
            except Exception as error:
                self._storm_error = error
                raise
        return self._storm


def skipped(check: str, reason: str) -> list[Finding]:
    """A check that had nothing to measure, and why."""
    return [Finding(rule=check, outcome=Outcome.SKIPPED, message=reason, severity="low")]

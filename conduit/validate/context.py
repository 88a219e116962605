"""What every check gets: the targets, the global deadline, Google's clients and the storm."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conduit.report.model import Finding, Outcome
from conduit.validate.deadline import Deadline
from conduit.validate.google import GoogleClients
from conduit.validate.targets import Targets


@dataclass
class Context:
    """Shared by the checks of one run; the storm runs once and serves two checks."""

    targets: Targets
    deadline: Deadline
    google: GoogleClients
    storm_tasks: int = 10
    health_wait: float = 60.0
    """Seconds the health endpoints may take to come up, all endpoints together."""
    storm: Any = None
    """The storm runner (startup_storm.LocalStorm or CloudRunStorm), or None."""
    progress: Callable[[str], None] = lambda _line: None
    id_token: str | None = field(default=None, repr=False)
    """An identity token given for the service (never printed); else one is fetched."""
    cache: dict[str, Any] = field(default_factory=dict)


def skipped(check: str, reason: str) -> list[Finding]:
    """A check that had nothing to measure, and why."""
    return [Finding(rule=check, outcome=Outcome.SKIPPED, message=reason, severity="low")]

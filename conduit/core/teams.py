"""Who is told about a failure: the teams of `conduit:alerting` and the label keys that carry
team, failure class and what an alert covers, shared by the alerts and the policies."""

from __future__ import annotations

from typing import Literal, get_args

from conduit.core.failures import FailureClass

Team = Literal["infrastructure", "application"]
TEAMS: tuple[Team, ...] = get_args(Team)
TEAM_OF_CLASS: dict[FailureClass, Team] = {
    FailureClass.INFRASTRUCTURE: "infrastructure",
    # The stack's own configuration (a password, TLS, a name): the team that deploys it.
    FailureClass.CONFIGURATION: "infrastructure",
    FailureClass.APPLICATION: "application",
}
"""The validator's and the probe's failure classes, routed to a team. `validator-access` (the
validator's own credentials or roles) is left out on purpose: whoever runs the validation fixes
it, and no alert pages a team for it."""

TEAM_LABEL = "conduit-team"
CLASS_LABEL = "conduit-failure-class"
COVERS_LABEL = "conduit-covers"
"""What an alert watches: `database`, `egress` or `service-<name>`."""
COVERS_DATABASE = "database"
COVERS_EGRESS = "egress"


def covers_service(name: str) -> str:
    return f"service-{name}"

"""What a failure means, one enumeration for the probe, the validator, the alerts and the reports.

- infrastructure: timeouts, refused or reset connections, "too many clients", a server starting up,
  anything the network or the database's capacity causes;
- configuration: wrong password or role, unknown database, unknown host, a missing secret, drift;
- application: the app answered but failed (HTTP 5xx with an app response, exit code 3);
- validator-access: the validator itself could not get in: no Google credentials, a token that
  cannot be minted, a 401/403 for the validator's own account. Whoever runs the validation fixes
  it, never the infrastructure or application team (it is not alert-routed).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class FailureClass(StrEnum):
    """A failure's class; the members are the strings reports, labels and the probe's JSON carry."""

    INFRASTRUCTURE = "infrastructure"
    APPLICATION = "application"
    CONFIGURATION = "configuration"
    VALIDATOR_ACCESS = "validator-access"


CUT = "cutByDeadline"
"""Evidence of an attempt the run's own deadline cut short: evidence of nothing, no class."""


def classify_window(evidence: Iterable[str]) -> FailureClass:
    """One class from every attempt of a window: the app's own failure outweighs the rest, then
    a refusal of the validator's own access (401/403), then a refusal by configuration
    (password, 404), all outweigh timeouts; an attempt the deadline cut (CUT) is no evidence at
    all, and a window with no other evidence is infrastructure (nothing answered in time)."""
    seen = {e for e in evidence if e != CUT}
    for classification in (
        FailureClass.APPLICATION,
        FailureClass.VALIDATOR_ACCESS,
        FailureClass.CONFIGURATION,
    ):
        if classification in seen:
            return classification
    return FailureClass.INFRASTRUCTURE

"""The failure classes as the checks apply them (conduit/core/failures.py): a whole window, a
probe's failures taken together."""

from __future__ import annotations

from conduit.core.failures import CUT, FailureClass, classify_window
from conduit.probe.burst import Attempt, Failure, ProbeResult

# classification from a whole window


def test_a_slow_503_cut_by_the_deadline_is_still_the_application_s() -> None:
    """The app answers 503 after 2.6 s each time; in a 7 s window two 503s arrive and the
    deadline cuts the third attempt: the app's own answers decide, not the cut."""
    assert classify_window(["application", "application", CUT]) == "application"
    assert classify_window(["infrastructure", "configuration", CUT]) == "configuration"
    assert classify_window([CUT]) == "infrastructure"
    assert classify_window(["infrastructure", "application"]) == "application"


def test_a_probe_s_failures_are_classified_together_not_by_the_most_common() -> None:
    timeout = Failure("timeout", FailureClass.INFRASTRUCTURE, "timed out")
    refused = Failure(
        "authentication", FailureClass.CONFIGURATION, "password authentication failed"
    )
    attempts = [Attempt(0.0, failure=timeout)] * 3 + [Attempt(0.0, failure=refused)]
    assert ProbeResult("db", 4, 1.0, 1.0, attempts).classification() == FailureClass.CONFIGURATION
    assert (
        ProbeResult("db", 3, 1.0, 1.0, attempts[:3]).classification() == FailureClass.INFRASTRUCTURE
    )
    ok = Attempt(0.0, connect=0.1, query=0.01)
    assert ProbeResult("db", 1, 1.0, 1.0, [ok]).classification() == ""

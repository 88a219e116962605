"""The `health-endpoints` check in-process (conduit/validate/checks/health_endpoints.py): every
configured endpoint answers HTTP 200 before the deadline. Whole findings asserted, against the
fake Google APIs and real servers."""

from __future__ import annotations

import re

import pytest

from conduit.core.failures import CUT, FailureClass
from conduit.report.model import Finding, Outcome
from conduit.validate import identity
from conduit.validate.checks import health_endpoints
from conduit.validate.deadline import Deadline
from conduit.validate.targets import ServiceTarget
from tests.support.checks import context
from tests.support.fake_token_endpoint import FakeTokenEndpoint
from tests.support.http_servers import StandIn


@pytest.mark.parametrize(
    ("status", "server", "classification"),
    [
        (None, "", FailureClass.INFRASTRUCTURE),
        (400, "", FailureClass.INFRASTRUCTURE),
        (401, "", FailureClass.VALIDATOR_ACCESS),
        (403, "", FailureClass.VALIDATOR_ACCESS),
        (404, "", FailureClass.CONFIGURATION),
        (405, "", FailureClass.INFRASTRUCTURE),
        (499, "", FailureClass.INFRASTRUCTURE),
        (500, "stand-in/1", FailureClass.APPLICATION),
        (503, "Google Frontend", FailureClass.INFRASTRUCTURE),
    ],
)
def test_one_answer_is_classified(status: int | None, server: str, classification: str) -> None:
    assert health_endpoints.classify(status, server) == classification


@pytest.mark.parametrize(
    ("share", "timeout"), [(1.0, 1.0), (2.0, 1.0), (2.2, 1.1), (10.0, 5.0), (12.0, 5.0)]
)
def test_each_attempt_gets_half_the_window_between_a_floor_and_a_cap(
    share: float, timeout: float
) -> None:
    assert health_endpoints.attempt_timeout(share) == pytest.approx(timeout)


def _health(server: StandIn, wait: float = 3.0, endpoints: tuple[str, ...] = ("/health",)):
    ctx = context(services=(ServiceTarget("backend", server.url, endpoints),))
    ctx.health_wait = wait
    return health_endpoints.run(ctx)


def test_a_healthy_endpoint_passes_on_the_first_attempt() -> None:
    server = StandIn("ok")
    try:
        (finding,) = _health(server)
    finally:
        server.stop()
    latency = finding.figures.pop("latencySeconds")
    first = finding.figures.pop("firstSuccessSeconds")
    # The one answer's latency is part of the time to the first success.
    assert 0 < latency["max"] <= first + 0.001  # rounded to 4 and 3 decimals
    # The whole 3 s wait is the one endpoint's window (the client is set up before it starts),
    # each attempt half of it.
    window = finding.figures.pop("windowSeconds")
    assert 2.5 < window <= 3.0
    assert abs(finding.figures.pop("attemptTimeoutSeconds") - window / 2) <= 0.001
    assert finding.figures == {
        "attempts": 1,
        "outcomes": {"200": 1},
        "successRate": 1.0,
        "lastStatus": 200,
    }
    assert (finding.outcome, finding.subject) == (Outcome.PASS, f"{server.url}/health")
    assert re.fullmatch(
        rf"{server.url}/health answered 200 after \d+\.\d\d s \(1 attempts\)", finding.message
    )


def test_two_503s_then_200_pass_with_the_retries_counted() -> None:
    server = StandIn("flaky", failures_first=2)
    try:
        (finding,) = _health(server, wait=5.0)
    finally:
        server.stop()
    assert finding.outcome is Outcome.PASS
    assert (finding.figures["attempts"], finding.figures["outcomes"]) == (3, {"503": 2, "200": 1})
    assert finding.figures["successRate"] == round(1 / 3, 3)
    # Backoff 0.25 s then 0.5 s before the third attempt (bounds measured in this process).
    first = finding.figures["firstSuccessSeconds"]
    assert 0.75 <= first < 2.9 and round(first, 3) == first


def test_the_app_s_503_is_application_and_every_endpoint_gets_a_share() -> None:
    server = StandIn("down")
    try:
        findings = _health(server, wait=2.0, endpoints=("/health", "/ready"))
    finally:
        server.stop()
    assert [(f.subject, f.outcome, f.classification) for f in findings] == [
        (f"{server.url}/health", Outcome.FAIL, FailureClass.APPLICATION),
        (f"{server.url}/ready", Outcome.FAIL, FailureClass.APPLICATION),
    ]
    first = findings[0]
    assert re.match(rf"{server.url}/health never answered 200 in \d\.\d s: ", first.message)
    assert first.figures["lastStatus"] == 503 and first.figures["successRate"] == 0.0
    assert first.evidence == ("last server header: stand-in/1",)
    assert (
        first.remediation
        == health_endpoints.REMEDIES[FailureClass.APPLICATION]
        == ("The app answered with an error of its own: read its logs (the application team).")
    )


def test_a_refusal_names_how_to_authenticate_and_whether_a_token_was_sent() -> None:
    server = StandIn("ok", token="right")
    try:
        ctx = context(services=(ServiceTarget("backend", server.url),))
        ctx.health_wait, ctx.id_token = 1.5, "wrong"
        (finding,) = health_endpoints.run(ctx)
    finally:
        server.stop()
    assert (finding.outcome, finding.classification) == (
        Outcome.FAIL,
        FailureClass.VALIDATOR_ACCESS,
    )
    assert finding.remediation == (
        f"The service refused the validator (403): it is private; {identity.HOW_TO_AUTHENTICATE}. "
        "A token was sent: its account lacks roles/run.invoker, or its audience is not the "
        "service URL."
    )
    assert server.authorizations[0] == "Bearer wrong"


def test_credentials_that_give_no_token_fail_each_service_as_the_validator_s_access(
    tmp_path, monkeypatch
) -> None:
    # Application Default Credentials whose token endpoint refuses: each service URL (https, or
    # a loopback stand-in) asks for its own token, and the first failure stops no other.
    endpoint = FakeTokenEndpoint()
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(endpoint.key_file(tmp_path)))
    endpoint.stop()
    server = StandIn("ok")
    try:
        urls = ("https://backend.invalid/", server.url)
        ctx = context(services=(ServiceTarget("backend", urls[0]), ServiceTarget("auth", urls[1])))
        found = health_endpoints.run(ctx)
    finally:
        server.stop()
    audiences = ("https://backend.invalid", server.url)
    assert [
        f.message.startswith(f"no identity token for {a}: ")
        for f, a in zip(found, audiences, strict=True)
    ] == [True, True]
    assert found == [
        Finding(
            rule="health-endpoints",
            outcome=Outcome.FAIL,
            subject=audience,
            severity="high",
            classification=FailureClass.VALIDATOR_ACCESS,
            message=finding.message,
            remediation=f"To reach a private service, {identity.HOW_TO_AUTHENTICATE}.",
        )
        for finding, audience in zip(found, audiences, strict=True)
    ]
    assert server.requests == 0


def test_health_without_a_service_url_is_skipped() -> None:
    assert health_endpoints.run(context(source="o.json")) == [
        Finding(
            rule="health-endpoints",
            outcome=Outcome.SKIPPED,
            severity="low",
            message="no --service-url, and the outputs file o.json has no services.<name>.url "
            "(or serviceUrl)",
        )
    ]


def test_a_silent_server_times_out_each_attempt_and_the_last_one_is_cut() -> None:
    """Attempts get 1.25 s each of a 2.5 s wait: the first times out on its own, the second is
    cut by the deadline, which is no evidence; nothing answered, so infrastructure."""
    server = StandIn("hang")
    try:
        (finding,) = _health(server, wait=2.5)
    finally:
        server.stop()
    url = f"{server.url}/health"
    figures = finding.figures
    assert figures["outcomes"] == {"timedOut": 1, CUT: 1}
    assert (figures["attempts"], figures["successRate"], figures["lastStatus"]) == (2, 0.0, None)
    # The wait is the one endpoint's window (the client is set up before it starts), each
    # attempt half of it.
    assert 2.0 < figures["windowSeconds"] <= 2.5
    assert abs(figures["attemptTimeoutSeconds"] - figures["windowSeconds"] / 2) <= 0.001
    assert (figures["firstSuccessSeconds"], figures["latencySeconds"]) == (None, {})
    assert finding == Finding(
        rule="health-endpoints",
        outcome=Outcome.FAIL,
        subject=url,
        figures=figures,
        severity="high",
        classification=FailureClass.INFRASTRUCTURE,
        message=finding.message,
        evidence=("last server header: -",),
        remediation=health_endpoints.REMEDIES[FailureClass.INFRASTRUCTURE],
    )
    # The share shown is what was left of the wait: 2.5 s less the set-up, to a tenth.
    assert re.fullmatch(
        rf"{url} never answered 200 in \d\.\d s: 2 attempts \(cutByDeadline x1, timedOut x1\); "
        "last ReadTimeout: .+",
        finding.message,
    )


def test_an_endpoint_whose_share_of_the_wait_is_spent_is_still_tried_once() -> None:
    """No wait left (0 s) but the run's deadline open: one attempt, in ATTEMPT_FLOOR's window."""
    server = StandIn("ok")
    try:
        (finding,) = _health(server, wait=0.0)
    finally:
        server.stop()
    assert (finding.outcome, finding.figures["attempts"]) == (Outcome.PASS, 1)
    assert finding.figures["windowSeconds"] == health_endpoints.ATTEMPT_FLOOR
    assert finding.figures["attemptTimeoutSeconds"] == health_endpoints.ATTEMPT_FLOOR


def test_an_expired_run_deadline_leaves_no_attempt() -> None:
    """The floor gives way to the run's own deadline: nothing is sent after it."""
    server = StandIn("ok")
    try:
        ctx = context(services=(ServiceTarget("backend", server.url, ("/health",)),))
        ctx.health_wait = 3.0
        ctx.deadline = Deadline(0)
        (finding,) = health_endpoints.run(ctx)
    finally:
        server.stop()
    assert (finding.outcome, finding.figures["attempts"], finding.figures["windowSeconds"]) == (
        Outcome.FAIL,
        0,
        0.0,
    )
    assert server.requests == 0


def test_a_closed_port_is_infrastructure_named_by_its_error() -> None:
    server = StandIn("ok")
    server.stop()
    (finding,) = _health(server, wait=0.6)
    attempts = finding.figures["attempts"]
    assert finding.figures["outcomes"] == {"ConnectError": attempts}
    assert (finding.classification, finding.figures["lastStatus"]) == (
        FailureClass.INFRASTRUCTURE,
        None,
    )
    assert f"attempts (ConnectError x{attempts}); last ConnectError: " in finding.message


def test_the_app_s_503s_are_counted_in_the_message() -> None:
    server = StandIn("down")
    try:
        (finding,) = _health(server, wait=1.5)
    finally:
        server.stop()
    attempts = finding.figures["attempts"]
    assert attempts >= 2 and finding.figures["outcomes"] == {"503": attempts}
    assert re.fullmatch(
        rf"{server.url}/health never answered 200 in \d\.\d s: {attempts} attempts "
        rf"\(503 x{attempts}\); last HTTP 503",
        finding.message,
    )

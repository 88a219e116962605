"""health-endpoints: every configured endpoint answers HTTP 200 before the deadline."""

from __future__ import annotations

import contextlib
import time
from collections import Counter

import httpx

from conduit.core.check_ids import CheckId
from conduit.core.failures import CUT, FailureClass, classify_window
from conduit.probe.burst import percentiles
from conduit.report.model import Finding, Outcome
from conduit.validate import identity
from conduit.validate.context import Context, skipped

ID = CheckId.HEALTH_ENDPOINTS
DESCRIPTION = "Every health endpoint answers HTTP 200 before the deadline (retries with backoff)."
REQUEST_TIMEOUT = 5.0
ATTEMPT_FLOOR = 1.0
BACKOFF = (0.25, 0.5, 1.0, 2.0)
REMEDIES = {
    FailureClass.APPLICATION: (
        "The app answered with an error of its own: read its logs (the application team)."
    ),
    FailureClass.CONFIGURATION: (
        "The endpoint is not there: check healthEndpoints against the app's routes."
    ),
    FailureClass.INFRASTRUCTURE: (
        "No instance answered in time: read the revision's start-up logs and see service-ready, "
        "database-connect and connector-scaling."
    ),
}
"""One remedy for each class a window can end in (the validator's access: see below)."""
PLATFORM_SERVERS = ("Google Frontend",)
"""A 5xx from Cloud Run's own frontend (no instance started) is not the app's answer."""


def classify(status: int | None, server: str) -> FailureClass:
    """Classification of one answer (None: no answer at all)."""
    if status is None:
        return FailureClass.INFRASTRUCTURE
    if status in (401, 403):
        # A private service refused the validator's own identity (none, or one without
        # roles/run.invoker): whoever runs the validation fixes that.
        return FailureClass.VALIDATOR_ACCESS
    if status == 404:
        return FailureClass.CONFIGURATION
    if status >= 500 and server not in PLATFORM_SERVERS:
        return FailureClass.APPLICATION
    return FailureClass.INFRASTRUCTURE


def attempt_timeout(share: float) -> float:
    """Each attempt's own timeout: half the endpoint's window, at least ATTEMPT_FLOOR, at most
    REQUEST_TIMEOUT, so that a server that accepts and never answers still leaves room for a
    retry with backoff, and a slow app's own answer still arrives."""
    return min(REQUEST_TIMEOUT, max(ATTEMPT_FLOOR, share / 2))


def _endpoint(
    ctx: Context, client: httpx.Client, url: str, share: float, sent_token: bool
) -> Finding:
    started = time.monotonic()
    # Every endpoint is tried at least once while the run's deadline allows, even when the
    # endpoints before it spent the wait: "never answered" then rests on an answer, not on none.
    stop = min(started + max(share, ATTEMPT_FLOOR), started + ctx.deadline.remaining())
    window = stop - started
    per_attempt = attempt_timeout(share)
    latencies: list[float] = []
    first_success: float | None = None
    last_status: int | None = None
    last_server, last_error = "", ""
    outcomes: Counter[str] = Counter()
    evidence: list[str] = []
    while (left := stop - time.monotonic()) > 0:
        sent = time.monotonic()
        timeout = min(per_attempt, left)
        try:
            response = client.get(url, timeout=timeout)
            latencies.append(time.monotonic() - sent)
            last_status, last_server = response.status_code, response.headers.get("server", "")
            last_error = f"HTTP {response.status_code}"
            outcome = str(response.status_code)
            evidence.append(classify(last_status, last_server))
        except httpx.TimeoutException as error:
            last_status, last_error = None, f"{type(error).__name__}: {error}"
            # Shortened by the deadline, the attempt says nothing about the service.
            outcome = CUT if timeout < per_attempt else "timedOut"
            evidence.append(CUT if outcome == CUT else FailureClass.INFRASTRUCTURE)
        except httpx.HTTPError as error:
            last_status, last_error = None, f"{type(error).__name__}: {error}"
            outcome = type(error).__name__
            evidence.append(FailureClass.INFRASTRUCTURE)
        outcomes[outcome] += 1
        if outcome == "200":
            first_success = time.monotonic() - started
            break
        pause = BACKOFF[min(outcomes.total() - 1, len(BACKOFF) - 1)]
        time.sleep(max(min(pause, stop - time.monotonic()), 0))
    attempts = outcomes.total()
    figures = {
        "attempts": attempts,
        "outcomes": dict(outcomes),
        "windowSeconds": round(window, 3),
        "attemptTimeoutSeconds": round(per_attempt, 3),
        "successRate": round(outcomes["200"] / attempts, 3) if attempts else 0.0,
        "firstSuccessSeconds": round(first_success, 3) if first_success is not None else None,
        "latencySeconds": percentiles(latencies),
        "lastStatus": last_status,
    }
    if first_success is not None:
        return Finding(
            rule=ID,
            outcome=Outcome.PASS,
            subject=url,
            figures=figures,
            message=f"{url} answered 200 after {first_success:.2f} s ({attempts} attempts)",
        )
    classification = classify_window(evidence)
    if classification != FailureClass.VALIDATOR_ACCESS:
        remediation = REMEDIES[classification]
    else:
        remediation = (
            f"The service refused the validator ({last_status}): it is private; "
            f"{identity.HOW_TO_AUTHENTICATE}."
            + (
                " A token was sent: its account lacks roles/run.invoker, or its audience is not "
                "the service URL."
                if sent_token
                else ""
            )
        )
    return Finding(
        rule=ID,
        outcome=Outcome.FAIL,
        subject=url,
        figures=figures,
        severity="high",
        classification=classification,
        message=f"{url} never answered 200 in {window:.1f} s: {attempts} attempts ("
        + ", ".join(f"{name} x{count}" for name, count in sorted(outcomes.items()))
        + f"); last {last_error}",
        evidence=(f"last server header: {last_server or '-'}",),
        remediation=remediation,
    )


def _identity_failure(audience: str, error: identity.IdentityError) -> Finding:
    return Finding(
        rule=ID,
        outcome=Outcome.FAIL,
        subject=audience,
        severity="high",
        classification=FailureClass.VALIDATOR_ACCESS,
        message=str(error),
        remediation=f"To reach a private service, {identity.HOW_TO_AUTHENTICATE}.",
    )


def run(ctx: Context) -> list[Finding]:
    services = [s for s in ctx.targets.services if s.url]
    if not services:
        where = ctx.targets.lacks("services.<name>.url (or serviceUrl)")
        return skipped(ID, f"no --service-url, and {where}")
    # Identities first: fetching a token is the validator's time, not the service's, so the wait
    # starts once every token is in hand (or known to be missing).
    results: list[list[Finding]] = []
    reachable: list[tuple[list[Finding], str, tuple[str, ...], str | None]] = []
    for service in services:
        audience = str(service.url).rstrip("/")
        try:
            # Never over plain http to another host: each URL gets its own audience's token, and
            # only where the wire is encrypted (or never leaves the machine).
            token = (
                (ctx.id_token or identity.fetch_token(audience))
                if identity.may_carry_token(audience)
                else None
            )
        except identity.IdentityError as error:
            results.append([_identity_failure(audience, error)])
            continue
        results.append([])
        reachable.append((results[-1], audience, tuple(service.health_endpoints), token))
    with contextlib.ExitStack() as stack:
        # A private service (publicInvoker false) answers 403 without its identity token.
        clients = [
            stack.enter_context(
                httpx.Client(
                    follow_redirects=False,
                    headers={"Authorization": f"Bearer {token}"} if token else {},
                )
            )
            for _, _, _, token in reachable
        ]
        # Every endpoint of every service gets a share of the one wait.
        stop = time.monotonic() + min(ctx.health_wait, ctx.deadline.remaining())
        left = sum(len(paths) for _, _, paths, _ in reachable)
        for (found, audience, paths, token), client in zip(reachable, clients, strict=True):
            for path in paths:
                share = max(stop - time.monotonic(), 0) / left
                left -= 1
                found.append(_endpoint(ctx, client, audience + path, share, bool(token)))
    return [finding for found in results for finding in found]

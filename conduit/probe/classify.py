"""What a failure means: infrastructure, application, configuration or the validator's access.

The rules (also in the README):
- infrastructure: timeouts, refused or reset connections, "too many clients", a server starting up,
  anything the network or the database's capacity causes;
- configuration: wrong password or role, unknown database, unknown host, a missing secret, drift;
- application: the app answered but failed (HTTP 5xx with an app response, exit code 3);
- validator-access: the validator itself could not get in: no Google credentials, a token that
  cannot be minted, a 401/403 for the validator's own account. Whoever runs the validation fixes
  it, never the infrastructure or application team (it is not alert-routed).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg

if TYPE_CHECKING:
    from conduit.probe.redis_probe import RedisTarget

INFRASTRUCTURE = "infrastructure"
APPLICATION = "application"
CONFIGURATION = "configuration"
VALIDATOR_ACCESS = "validator-access"
CUT = "cutByDeadline"
"""An attempt the run's own deadline cut short: evidence of nothing."""


def classify_window(evidence: Iterable[str]) -> str:
    """One classification from every attempt of a window: the app's own failure outweighs the
    rest, then a refusal of the validator's own access (401/403), then a refusal by
    configuration (password, 404), all outweigh timeouts; an attempt the deadline cut (CUT) is no
    evidence at all, and a window with no other evidence is infrastructure (nothing answered in
    time)."""
    seen = {e for e in evidence if e != CUT}
    for classification in (APPLICATION, VALIDATOR_ACCESS, CONFIGURATION):
        if classification in seen:
            return classification
    return INFRASTRUCTURE


@dataclass(frozen=True)
class Failure:
    """A failed attempt: a short kind, its classification and a message without secrets."""

    kind: str
    classification: str
    message: str


def classify(error: BaseException) -> Failure:
    """Classify a connection error raised by asyncpg or the socket layer."""
    message = _safe(error)
    if isinstance(error, asyncpg.TooManyConnectionsError):
        return Failure("too-many-clients", INFRASTRUCTURE, message)
    if isinstance(error, asyncpg.CannotConnectNowError):
        return Failure("server-starting", INFRASTRUCTURE, message)
    if isinstance(
        error, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    ):
        return Failure("authentication", CONFIGURATION, message)
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return Failure("unknown-database", CONFIGURATION, message)
    if isinstance(error, socket.gaierror):
        return Failure("unknown-host", CONFIGURATION, message)
    if isinstance(error, ssl.SSLCertVerificationError):
        # The server's certificate is not signed by the CA given: refused before any password.
        return Failure("tls-untrusted", CONFIGURATION, message)
    if isinstance(error, TimeoutError):
        return Failure("timeout", INFRASTRUCTURE, message or "timed out")
    if isinstance(error, ConnectionRefusedError):
        return Failure("refused", INFRASTRUCTURE, message)
    if isinstance(
        error,
        ConnectionResetError
        | ConnectionAbortedError
        | BrokenPipeError
        | asyncpg.ConnectionDoesNotExistError,
    ):
        return Failure("reset", INFRASTRUCTURE, message)
    if isinstance(error, asyncpg.PostgresError):
        return Failure(f"sqlstate-{getattr(error, 'sqlstate', '?')}", INFRASTRUCTURE, message)
    if isinstance(error, OSError):
        return Failure("network", INFRASTRUCTURE, message)
    return Failure(type(error).__name__, INFRASTRUCTURE, message)


def _safe(error: BaseException) -> str:
    # asyncpg and the socket layer never echo the password; keep only the first line.
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


async def classify_redis(error: BaseException, target: RedisTarget) -> Failure:
    """Classify a Redis connection error (redis-py wraps the socket's in its own)."""
    import ssl

    from redis import exceptions as redis_errors

    message = _safe(error)
    causes = _chain(error)
    text = " ".join(str(e) for e in causes)
    if any(isinstance(e, redis_errors.AuthenticationError) for e in causes) or any(
        word in text for word in ("WRONGPASS", "NOAUTH", "invalid password")
    ):
        return Failure("authentication", CONFIGURATION, message)
    if any(isinstance(e, redis_errors.BusyLoadingError) for e in causes) or "LOADING" in text:
        return Failure("loading", INFRASTRUCTURE, message)
    if "max number of clients reached" in text:
        return Failure("too-many-clients", INFRASTRUCTURE, message)
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in causes):
        return Failure("tls-untrusted", CONFIGURATION, message)
    if any(isinstance(e, ssl.SSLError) for e in causes):
        return Failure("tls-mismatch", CONFIGURATION, message)
    if any(isinstance(e, socket.gaierror) for e in causes):
        return Failure("unknown-host", CONFIGURATION, message)
    if any(isinstance(e, TimeoutError | redis_errors.TimeoutError) for e in causes):
        return Failure("timeout", INFRASTRUCTURE, message or "timed out")
    if any(isinstance(e, ConnectionRefusedError) for e in causes) or "refused" in text:
        return Failure("refused", INFRASTRUCTURE, message)
    if any(isinstance(e, redis_errors.ConnectionError | OSError) for e in causes):
        if not target.tls and await _speaks_tls(target.host, target.port):
            # Plain text to a port that wants TLS: the server hangs up without a word.
            return Failure("tls-required", CONFIGURATION, message)
        return Failure("reset", INFRASTRUCTURE, message)
    return Failure(type(error).__name__, INFRASTRUCTURE, message)


def _chain(error: BaseException) -> list[BaseException]:
    """The error and every error it was raised from."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


async def _speaks_tls(host: str, port: int, timeout: float = 2.0) -> bool:
    """Whether the server completes a TLS handshake (certificates not checked: only the
    protocol is asked)."""
    import asyncio
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(host, port, ssl=context)
    except (OSError, TimeoutError, ssl.SSLError):
        return False
    writer.close()
    return True

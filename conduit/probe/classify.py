"""What a failed connection means: infrastructure, application or configuration.

The rules (also in the README):
- infrastructure: timeouts, refused or reset connections, "too many clients", a server starting up,
  anything the network or the database's capacity causes;
- configuration: wrong password or role, unknown database, unknown host, a missing secret, drift;
- application: the app answered but failed (HTTP 5xx with an app response, exit code 3).
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg

INFRASTRUCTURE = "infrastructure"
APPLICATION = "application"
CONFIGURATION = "configuration"
CUT = "cutByDeadline"
"""An attempt the run's own deadline cut short: evidence of nothing."""


def classify_window(evidence: Iterable[str]) -> str:
    """One classification from every attempt of a window: the app's own failure outweighs the
    rest, a refusal by configuration (password, 401/403/404) outweighs timeouts, an attempt the
    deadline cut (CUT) is no evidence at all, and a window with no other evidence is
    infrastructure (nothing answered in time)."""
    seen = {e for e in evidence if e != CUT}
    for classification in (APPLICATION, CONFIGURATION):
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

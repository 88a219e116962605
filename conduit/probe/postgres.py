"""The PostgreSQL probe: a DSN parsed once (and described without its password), K connections
opened at once and timed by phase, SELECT 1 on each, every failure classified."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import asyncpg

from conduit.core.failures import FailureClass
from conduit.probe.burst import (
    Attempt,
    Failure,
    ProbeResult,
    burst,
    network_phases,
    safe_message,
    url_problem,
)


class DsnError(ValueError):
    """A DSN that cannot be used; the message never contains the password."""


@dataclass(frozen=True)
class Dsn:
    """The parts of a `postgresql://user:password@host:port/database` DSN."""

    raw: str
    host: str
    port: int
    user: str
    database: str
    ca_pem: str | None = None
    """The server's CA (PEM): with it the probe verifies the server's certificate (verify-ca)
    before it sends the password; never part of the printed DSN."""

    def __str__(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    __repr__ = __str__


def parse_dsn(raw: str, ca_pem: str | None = None, source: str = "--dsn") -> Dsn:
    """Validate a DSN; DsnError names what is wrong, and where the DSN came from (`source`), and
    never echoes it."""
    try:
        parts = urlsplit(raw)
        port = parts.port or 5432
    except ValueError as error:
        raise DsnError(f"{source}: not a valid DSN ({url_problem(error)})") from None
    if parts.scheme not in ("postgres", "postgresql"):
        raise DsnError(
            f"{source}: must start with postgresql:// (allowed schemes: postgres, postgresql)"
        )
    if not parts.hostname:
        raise DsnError(f"{source}: no host")
    database = unquote(parts.path.lstrip("/")) or unquote(parts.username or "postgres")
    return Dsn(
        raw, parts.hostname, port, unquote(parts.username or "postgres"), database, ca_pem or None
    )


CA_ENV = "DATABASE_CA_CERT"
"""The Cloud SQL instance's server CA as text: the stack gives it to the services and the probe
job from the instance's own output (serverCaCerts), never as a literal."""


def checked_ca(pem: str, source: str) -> str:
    """`pem` if it holds at least one certificate TLS can trust; DsnError naming `source`
    otherwise (a CA that cannot load must not fall back to no verification)."""
    try:
        ssl.create_default_context(cadata=pem)
    except (ssl.SSLError, ValueError):
        raise DsnError(f"{source}: not a PEM certificate (-----BEGIN CERTIFICATE-----)") from None
    return pem


DSN_ENV = "CONDUIT_DSN"
"""Where the probe finds its DSN when not given one: keeps the password out of process lists."""


ENV_DSN_SOURCE = "DATABASE_HOST/PORT/USER/PASSWORD/NAME"
"""How a DSN built from the DATABASE_* variables is named in an error about it."""


def dsn_from_env(env: dict[str, str]) -> str | None:
    """CONDUIT_DSN, else the DATABASE_* variables the stack gives the service and the probe job."""
    if env.get(DSN_ENV):
        return env[DSN_ENV]
    if not all(env.get(k) for k in ("DATABASE_HOST", "DATABASE_USER", "DATABASE_PASSWORD")):
        return None
    return (
        f"postgresql://{quote(env['DATABASE_USER'])}:{quote(env['DATABASE_PASSWORD'])}@"
        f"{env['DATABASE_HOST']}:{env.get('DATABASE_PORT', '5432')}/"
        f"{quote(env.get('DATABASE_NAME', 'postgres'))}"
    )


def classify(error: BaseException) -> Failure:
    """Classify a connection error raised by asyncpg or the socket layer."""
    message = safe_message(error)
    if isinstance(error, asyncpg.TooManyConnectionsError):
        return Failure("too-many-clients", FailureClass.INFRASTRUCTURE, message)
    if isinstance(error, asyncpg.CannotConnectNowError):
        return Failure("server-starting", FailureClass.INFRASTRUCTURE, message)
    if isinstance(
        error, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    ):
        return Failure("authentication", FailureClass.CONFIGURATION, message)
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return Failure("unknown-database", FailureClass.CONFIGURATION, message)
    if isinstance(error, socket.gaierror):
        return Failure("unknown-host", FailureClass.CONFIGURATION, message)
    if isinstance(error, ssl.SSLCertVerificationError):
        # The server's certificate is not signed by the CA given: refused before any password.
        return Failure("tls-untrusted", FailureClass.CONFIGURATION, message)
    if isinstance(error, TimeoutError):
        return Failure("timeout", FailureClass.INFRASTRUCTURE, message or "timed out")
    if isinstance(error, ConnectionRefusedError):
        return Failure("refused", FailureClass.INFRASTRUCTURE, message)
    if isinstance(
        error,
        ConnectionResetError
        | ConnectionAbortedError
        | BrokenPipeError
        | asyncpg.ConnectionDoesNotExistError,
    ):
        return Failure("reset", FailureClass.INFRASTRUCTURE, message)
    if isinstance(error, asyncpg.PostgresError):
        return Failure(
            f"sqlstate-{getattr(error, 'sqlstate', '?')}", FailureClass.INFRASTRUCTURE, message
        )
    if isinstance(error, OSError):
        return Failure("network", FailureClass.INFRASTRUCTURE, message)
    return Failure(type(error).__name__, FailureClass.INFRASTRUCTURE, message)


def _tls(dsn: Dsn) -> dict[str, ssl.SSLContext]:
    """With the server's CA: TLS required and the certificate verified against that CA alone
    (verify-ca: Cloud SQL's certificate names the instance, not the private IP dialled), so a
    server it does not sign never receives the password. Without: the DSN's own sslmode."""
    if dsn.ca_pem is None:
        return {}
    context = ssl.create_default_context(cadata=dsn.ca_pem)
    context.check_hostname = False
    return {"ssl": context}


async def _attempt(dsn: Dsn, burst_start: float, per_attempt: float, opened: list) -> Attempt:
    start = time.perf_counter()
    attempt = Attempt(started=start - burst_start)
    try:
        async with asyncio.timeout(per_attempt):
            await network_phases(attempt, dsn.host, dsn.port, start)
            connect_start = time.perf_counter()
            connection = await asyncpg.connect(dsn.raw, timeout=per_attempt, **_tls(dsn))
            opened.append(connection)
            attempt.connect = time.perf_counter() - connect_start
            query_start = time.perf_counter()
            await connection.fetchval("SELECT 1")
            attempt.query = time.perf_counter() - query_start
    except (Exception, TimeoutError) as error:  # noqa: BLE001 every failure is a classified result
        attempt.failure = classify(error)
    return attempt


async def probe(dsn: Dsn, connections: int, deadline: float, hold: float = 0.0) -> ProbeResult:
    """Open `connections` to PostgreSQL at once within `deadline` seconds; always close what
    was opened. `hold` keeps them open that long, as a starting instance keeps its pool."""

    def attempt(burst_start: float, opened: list) -> Coroutine[Any, Any, Attempt]:
        return _attempt(dsn, burst_start, deadline, opened)

    return await burst(str(dsn), connections, deadline, hold, attempt, _close_all)


async def _close_all(connections: list[asyncpg.Connection]) -> None:
    async def close(connection: asyncpg.Connection) -> None:
        try:
            await asyncio.wait_for(connection.close(), timeout=1)
        except (Exception, TimeoutError):  # noqa: BLE001 a dead connection cannot close politely
            connection.terminate()

    await asyncio.gather(*(close(c) for c in connections))

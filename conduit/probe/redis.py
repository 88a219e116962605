"""Open K connections to Redis at once, time each by phase (resolve, TCP, then TLS and AUTH, then
PING), close everything: the same burst and JSON as the database probe."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from redis import exceptions as redis_errors
from redis.asyncio.connection import AbstractConnection, Connection, SSLConnection

from conduit.core import facts
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

REDIS_URL_ENV = "CONDUIT_REDIS_URL"
"""Where the probe finds its Redis URL when not given one: keeps the password out of `ps`."""


class RedisUrlError(ValueError):
    """A Redis URL that cannot be used; the message never contains the password."""


@dataclass(frozen=True)
class RedisTarget:
    """The parts of a `redis://[:password@]host:port[/db]` (or `rediss://`, TLS) URL."""

    host: str
    port: int
    db: int
    tls: bool
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    """The server's CA for TLS, a PEM file; with neither this nor `ca_pem`, the system's."""
    ca_pem: str | None = field(default=None, repr=False)
    """The server's CA as PEM text (Memorystore's, as REDIS_CA_CERT gives it)."""

    def __str__(self) -> str:
        scheme = "rediss" if self.tls else "redis"
        auth = ":***@" if self.password else ""
        return f"{scheme}://{auth}{self.host}:{self.port}/{self.db}"

    __repr__ = __str__

    def connection(self, timeout: float) -> AbstractConnection:
        """One client connection, not yet open; no retries, so every failure is measured."""
        options: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "db": self.db,
            "password": self.password,
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            # No CLIENT SETINFO round trips: the probe times what an app's connection costs.
            "driver_info": None,
            "protocol": PROTOCOL,
        }
        if not self.tls:
            return Connection(**options)
        # Memorystore's certificate names an IP address, not the host the client dials.
        return SSLConnection(
            ssl_ca_certs=self.ca_file,
            ssl_ca_data=self.ca_pem,
            ssl_check_hostname=False,
            **options,
        )


PROTOCOL = 2
"""RESP2: the session opens with AUTH (and SELECT) as Memorystore documents it and as
redis-benchmark does, rather than HELLO 3, whose reply is a map of server facts to parse."""


def parse_redis_url(
    raw: str, ca_file: str | None = None, ca_pem: str | None = None, source: str = "--redis-url"
) -> RedisTarget:
    """Validate a Redis URL; RedisUrlError names what is wrong, and where the URL came from
    (`source`), and never echoes it."""
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as error:
        raise RedisUrlError(f"{source}: not a valid URL ({url_problem(error)})") from None
    if parts.scheme not in ("redis", "rediss"):
        raise RedisUrlError(f"{source}: must start with redis:// or rediss:// (TLS)")
    if not parts.hostname:
        raise RedisUrlError(f"{source}: no host")
    path = parts.path.lstrip("/")
    if path and not path.isdigit():
        raise RedisUrlError(f"{source}: the path must be a database number (/0 to /15)")
    if ca_file and parts.scheme != "rediss":
        raise RedisUrlError("--redis-ca: only with a rediss:// (TLS) URL")
    password = unquote(parts.password) if parts.password is not None else None
    default_port = facts.REDIS_PORT_TLS if parts.scheme == "rediss" else facts.REDIS_PORT
    return RedisTarget(
        parts.hostname,
        port or default_port,
        int(path or 0),
        parts.scheme == "rediss",
        password or None,
        ca_file,
        ca_pem if parts.scheme == "rediss" else None,
    )


ENV_URL_SOURCE = "REDIS_HOST/PORT/TLS/AUTH"
"""How a URL built from the REDIS_* variables is named in an error about it."""


def redis_url_from_env(env: Mapping[str, str]) -> str | None:
    """CONDUIT_REDIS_URL, else the REDIS_* variables the stack gives a service with redis."""
    if env.get(REDIS_URL_ENV):
        return env[REDIS_URL_ENV]
    if not env.get("REDIS_HOST"):
        return None
    scheme = "rediss" if env.get("REDIS_TLS") == "true" else "redis"
    auth = f":{quote(env['REDIS_AUTH'], safe='')}@" if env.get("REDIS_AUTH") else ""
    return f"{scheme}://{auth}{env['REDIS_HOST']}:{env.get('REDIS_PORT', str(facts.REDIS_PORT))}/0"


async def classify_redis(error: BaseException, target: RedisTarget) -> Failure:
    """Classify a Redis connection error (redis-py wraps the socket's in its own)."""
    message = safe_message(error)
    causes = _chain(error)
    text = " ".join(str(e) for e in causes)
    if any(isinstance(e, redis_errors.AuthenticationError) for e in causes) or any(
        word in text for word in ("WRONGPASS", "NOAUTH", "invalid password")
    ):
        return Failure("authentication", FailureClass.CONFIGURATION, message)
    if any(isinstance(e, redis_errors.BusyLoadingError) for e in causes) or "LOADING" in text:
        return Failure("loading", FailureClass.INFRASTRUCTURE, message)
    if "max number of clients reached" in text:
        return Failure("too-many-clients", FailureClass.INFRASTRUCTURE, message)
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in causes):
        return Failure("tls-untrusted", FailureClass.CONFIGURATION, message)
    if any(isinstance(e, ssl.SSLError) for e in causes):
        return Failure("tls-mismatch", FailureClass.CONFIGURATION, message)
    if any(isinstance(e, socket.gaierror) for e in causes):
        return Failure("unknown-host", FailureClass.CONFIGURATION, message)
    if any(isinstance(e, TimeoutError | redis_errors.TimeoutError) for e in causes):
        return Failure("timeout", FailureClass.INFRASTRUCTURE, message or "timed out")
    if any(isinstance(e, ConnectionRefusedError) for e in causes) or "refused" in text:
        return Failure("refused", FailureClass.INFRASTRUCTURE, message)
    if any(isinstance(e, redis_errors.ConnectionError | OSError) for e in causes):
        if not target.tls and await _speaks_tls(target.host, target.port):
            # Plain text to a port that wants TLS: the server hangs up without a word.
            return Failure("tls-required", FailureClass.CONFIGURATION, message)
        return Failure("reset", FailureClass.INFRASTRUCTURE, message)
    return Failure(type(error).__name__, FailureClass.INFRASTRUCTURE, message)


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


async def _attempt(
    target: RedisTarget, burst_start: float, per_attempt: float, opened: list
) -> Attempt:
    start = time.perf_counter()
    attempt = Attempt(started=start - burst_start)
    try:
        async with asyncio.timeout(per_attempt):
            await network_phases(attempt, target.host, target.port, start)
            connect_start = time.perf_counter()
            connection = target.connection(per_attempt)
            opened.append(connection)
            await connection.connect()  # TCP, TLS, AUTH and SELECT
            attempt.connect = time.perf_counter() - connect_start
            ping_start = time.perf_counter()
            await connection.send_command("PING")
            await connection.read_response()
            attempt.query = time.perf_counter() - ping_start
    except (Exception, TimeoutError) as error:  # noqa: BLE001 every failure is a classified result
        attempt.failure = await classify_redis(error, target)
    return attempt


async def _close_all(connections: list[AbstractConnection]) -> None:
    async def close(connection: AbstractConnection) -> None:
        try:
            await asyncio.wait_for(connection.disconnect(), timeout=1)
        except (Exception, TimeoutError):  # noqa: BLE001 a dead connection cannot close politely
            await connection.disconnect(nowait=True)

    await asyncio.gather(*(close(c) for c in connections))


async def probe_redis(
    target: RedisTarget, connections: int, deadline: float, hold: float = 0.0
) -> ProbeResult:
    """Open `connections` to Redis at once within `deadline` seconds; always close them."""

    def attempt(burst_start: float, opened: list) -> Coroutine[Any, Any, Attempt]:
        return _attempt(target, burst_start, deadline, opened)

    result = await burst(str(target), connections, deadline, hold, attempt, _close_all, "redis")
    timed_out = [a for a in result.attempts if a.failure and a.failure.kind == "timeout"]
    # A TLS handshake with a plain-text server waits for an answer that never comes: ask once
    # whether the server speaks plain Redis before calling it the network's fault.
    if target.tls and timed_out and await _speaks_plain_redis(target.host, target.port):
        mismatch = Failure(
            "tls-mismatch",
            FailureClass.CONFIGURATION,
            "the server speaks plain Redis, not TLS (redis://)",
        )
        for timed in timed_out:
            timed.failure = mismatch
    return result


async def _speaks_plain_redis(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether a plain-text PING gets a Redis reply (+PONG, or -NOAUTH without AUTH)."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"PING\r\n")
            await writer.drain()
            reply = await reader.readline()
            writer.close()
    except (OSError, TimeoutError):
        return False
    return reply.startswith((b"+PONG", b"-NOAUTH", b"-ERR"))

"""The burst every probe runs: K attempts at once, each timed by phase, cut at the deadline,
closed; its result and the JSON `conduit probe` prints."""

from __future__ import annotations

import asyncio
import math
import socket
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass, field
from typing import Any

from conduit.core import probe_output as out
from conduit.core.failures import FailureClass, classify_window

MAX_CONNECTIONS = 1000


@dataclass(frozen=True)
class Failure:
    """A failed attempt: a short kind, its classification and a message without secrets."""

    kind: str
    classification: FailureClass
    message: str


def url_problem(error: ValueError) -> str:
    """What urllib found wrong with a URL, in words that never quote the URL: its messages do
    ("Port could not be cast to integer value as 'hunter2'" for `user:hunter2/x@host`)."""
    if "port" in str(error).lower():
        return (
            "the text after the host's ':' is not a port number; percent-encode ':', '/', '@' "
            "and '#' in the password (e.g. '/' as %2F)"
        )
    return "it is not a well-formed URL; percent-encode special characters in the password"


def safe_message(error: BaseException) -> str:
    """The error's type and first line: the clients and the socket layer never echo a password,
    and a first line never carries a traceback's worth of detail."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


@dataclass
class Attempt:
    """One connection: when it started (relative to the burst) and how long each phase took."""

    started: float
    resolve: float | None = None
    tcp: float | None = None
    connect: float | None = None
    """From the start to an authenticated session (TCP, TLS, startup, auth)."""
    query: float | None = None
    failure: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None and self.query is not None


@dataclass
class ProbeResult:
    """What `conduit probe` prints, as JSON."""

    target: str
    connections: int
    deadline_seconds: float
    elapsed_seconds: float
    attempts: list[Attempt] = field(default_factory=list)
    started_at: float = 0.0
    """Wall-clock start of the burst (epoch seconds), to line up probes run in parallel."""
    kind: out.Kind = "postgresql"

    @property
    def succeeded(self) -> int:
        return sum(a.ok for a in self.attempts)

    @property
    def ok(self) -> bool:
        return self.succeeded == self.connections

    def failures(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for attempt in self.attempts:
            if attempt.failure:
                kinds[attempt.failure.kind] = kinds.get(attempt.failure.kind, 0) + 1
        return kinds

    def classification(self) -> FailureClass | str:
        """The classification of every failure together (classify_window), or "" when all
        succeeded."""
        failures = [a.failure.classification for a in self.attempts if a.failure]
        return classify_window(failures) if failures else ""

    def connect_times(self) -> list[float]:
        return [a.connect for a in self.attempts if a.ok and a.connect is not None]

    def as_dict(self) -> dict[str, Any]:
        return {
            out.OK: self.ok,
            out.KIND: self.kind,
            "startedAt": round(self.started_at, 4),
            "target": self.target,
            "connections": self.connections,
            "succeeded": self.succeeded,
            out.FAILED: self.connections - self.succeeded,
            "deadlineSeconds": self.deadline_seconds,
            "elapsedSeconds": round(self.elapsed_seconds, 4),
            out.CONNECT_SECONDS: percentiles(self.connect_times()),
            "phases": {
                phase: percentiles(
                    [getattr(a, phase) for a in self.attempts if getattr(a, phase) is not None]
                )
                for phase in ("resolve", "tcp", "connect", "query")
            },
            "failures": self.failures(),
            out.CLASSIFICATION: self.classification(),
            "errors": sorted({a.failure.message for a in self.attempts if a.failure})[:10],
            "attempts": [
                {
                    k: (round(v, 4) if isinstance(v, float) else v)
                    for k, v in asdict(a).items()
                    if k != "failure"
                }
                | ({"failure": a.failure.kind} if a.failure else {})
                for a in self.attempts
            ],
        }


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95, p99, max and mean (nearest rank), or {} for no values."""
    if not values:
        return {}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]

    return {
        "p50": round(rank(50), 4),
        "p95": round(rank(95), 4),
        "p99": round(rank(99), 4),
        "max": round(ordered[-1], 4),
        "mean": round(statistics.fmean(ordered), 4),
    }


async def network_phases(attempt: Attempt, host: str, port: int, start: float) -> None:
    """Time name resolution and a bare TCP handshake into `attempt`, before the client's own
    session, so the network and the server can be told apart."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    attempt.resolve = time.perf_counter() - start
    address, resolved_port = infos[0][4][:2]
    _, writer = await asyncio.open_connection(address, resolved_port)
    attempt.tcp = time.perf_counter() - start - attempt.resolve
    writer.close()


async def burst(
    target: str,
    connections: int,
    deadline: float,
    hold: float,
    attempt: Callable[[float, list], Coroutine[Any, Any, Attempt]],
    close_all: Callable[[list], Awaitable[None]],
    kind: out.Kind = "postgresql",
) -> ProbeResult:
    """Start `connections` attempts at once, cut them at `deadline`, hold what opened, close it
    all: the one burst every probe (PostgreSQL, Redis) runs."""
    if not 1 <= connections <= MAX_CONNECTIONS:
        raise ValueError(f"--connections must be 1-{MAX_CONNECTIONS}, got {connections}")
    opened: list[Any] = []
    started_at = time.time()
    burst_start = time.perf_counter()
    tasks = [asyncio.create_task(attempt(burst_start, opened)) for _ in range(connections)]
    try:
        done, pending = await asyncio.wait(tasks, timeout=deadline)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        attempts = [
            t.result() if t in done and not t.cancelled() else _timed_out(deadline) for t in tasks
        ]
        left = deadline - (time.perf_counter() - burst_start)
        if hold > 0 and left > 0:
            await asyncio.sleep(min(hold, left))
    finally:
        await close_all(opened)
    elapsed = time.perf_counter() - burst_start
    return ProbeResult(target, connections, deadline, elapsed, attempts, started_at, kind)


def _timed_out(deadline: float) -> Attempt:
    return Attempt(
        started=0.0,
        failure=Failure(
            "timeout",
            FailureClass.INFRASTRUCTURE,
            f"no answer within the {deadline:g} s deadline",
        ),
    )

"""Ctrl-C and SIGTERM at several points of real runs: one line ("interrupted"), exit 130 or 143,
the policy pack and every probe process stopped, every database connection closed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.postgres import settle
from tests.support.project import ROOT


def _start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "conduit.cli", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` now (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    stop = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < stop, "the run never reached the point to interrupt it at"
        time.sleep(0.05)


def _interrupt(process: subprocess.Popen[str], signum: int) -> tuple[int, str, set[int]]:
    """Send `signum` and wait: (exit code, stderr, the descendants it had then)."""
    below = _descendants(process.pid)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr, below


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_probe_holding_connections_closes_them(postgres, signum: int, code: int) -> None:
    process = _start(
        "probe", "--connections", "5", "--hold", "30", "--deadline", "60",
        env={"CONDUIT_DSN": postgres.dsn()},
    )  # fmt: skip
    _wait_for(lambda: postgres.app_connections() >= 5)
    returncode, stderr, _ = _interrupt(process, signum)
    assert (returncode, stderr) == (code, "interrupted\n")
    assert settle(postgres) == 0


def test_a_storm_interrupted_stops_every_probe_and_closes_their_connections(postgres) -> None:
    # Two probe processes hold their connection 2 s each, then report: interrupt while they hold.
    process = _start(
        "validate", "--dsn", postgres.dsn(), "--only", "startup-storm", "--storm-tasks", "2",
        "--storm-runner", "local", "--format", "json",
    )  # fmt: skip
    _wait_for(lambda: postgres.app_connections() >= 2)
    returncode, stderr, below = _interrupt(process, signal.SIGTERM)
    assert (returncode, stderr.splitlines()[-1]) == (143, "interrupted")
    assert below and not any(_alive(pid) for pid in below), "a probe process was left running"
    assert settle(postgres) == 0


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_preview_interrupted_stops_its_policy_pack(signum: int, code: int) -> None:
    process = _start("preview", "--stack", "staging")
    # The pack is the preview's child process (`python -m pulumi.policy ...`).
    _wait_for(lambda: bool(_descendants(process.pid)))
    returncode, stderr, below = _interrupt(process, signum)
    # While the program runs the process ends at once (interrupts.ends_process): nothing of the
    # SDK's or asyncio's can print after the one line.
    assert (returncode, stderr) == (code, "interrupted\n")
    _wait_for(lambda: not any(_alive(pid) for pid in below), timeout=30)


def test_a_storm_on_cloud_run_interrupted_cancels_its_execution(tmp_path) -> None:
    """SIGTERM while the probe job's execution is still running: the execution is cancelled,
    not left to run its tasks to the job's timeout."""
    import json

    from google.cloud import run_v2

    from tests.support.google_stack import PROJECT, REGION, healthy_google
    from tests.support.stack_outputs import outputs

    fake = healthy_google()
    fake.running = True
    job = f"projects/{PROJECT}/locations/{REGION}/jobs/backend-probe"
    execution = f"{job}/executions/backend-probe-s1"
    fake.executions[job] = run_v2.Execution(name=execution, task_count=3)
    endpoint = fake.start()
    try:
        path = outputs(tmp_path)
        path.write_text(json.dumps({**json.loads(path.read_text()), "probeJob": job}))
        process = _start(
            "validate", "--outputs", str(path), "--api-endpoint", endpoint,
            "--only", "startup-storm", "--storm-runner", "cloudrun", "--storm-tasks", "3",
        )  # fmt: skip
        # Interrupt once the job runs and its operation is being polled.
        _wait_for(lambda: any(m == "GET" and "/operations/" in p for m, p in fake.requests))
        returncode, stderr, _ = _interrupt(process, signal.SIGTERM)
    finally:
        fake.stop()
    assert (returncode, stderr.splitlines()[-1]) == (143, "interrupted")
    assert fake.cancelled == [execution]


def test_an_interruption_inside_a_socket_write_is_not_swallowed_by_asyncio() -> None:
    """Seen once in ten loaded runs: SIGINT landed inside a probe connection's socket write;
    asyncio took the exception for a broken socket ("Fatal write error on socket transport"),
    the probe held on and exited 1. asyncio re-raises only KeyboardInterrupt and SystemExit."""
    import asyncio
    import socket

    from conduit.interrupts import Interrupted

    class SignalDuringSend:
        """A socket whose send is where the signal lands."""

        def __init__(self, sock: socket.socket) -> None:
            self._sock = sock

        def send(self, _data: bytes) -> int:
            raise Interrupted(signal.SIGINT)

        def __getattr__(self, name: str):
            return getattr(self._sock, name)

    async def write_once() -> None:
        mine, theirs = socket.socketpair()
        try:
            _, writer = await asyncio.open_connection(sock=mine)
            writer.transport._sock = SignalDuringSend(mine)  # the real transport's write path
            writer.write(b"PING\r\n")
        finally:
            theirs.close()

    with pytest.raises(Interrupted):
        asyncio.run(write_once())

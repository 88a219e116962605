"""`conduit probe` against a real PostgreSQL, through a fault proxy: the probe's fault matrix.

Each case asserts the status, the classification, the exit code, a bounded time, and that no
connection is left open (pg_stat_activity).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.postgres import PASSWORD, free_port, remove, settle, start_postgres


def probe(dsn: str, connections: int = 5, deadline: float = 10.0) -> tuple[int, dict]:
    """The probe's exit code and JSON result. Its time is its own `elapsedSeconds`, measured
    inside the process: nothing here times interpreter start-up."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "conduit.cli",
            "probe",
            "--dsn",
            dsn,
            "--connections",
            str(connections),
            "--deadline",
            str(deadline),
        ],
        capture_output=True,
        text=True,
        timeout=deadline + 20,
    )
    assert PASSWORD not in result.stdout + result.stderr, "the password leaked"
    return result.returncode, json.loads(result.stdout) if result.stdout else {}


def test_healthy_database_all_connections_succeed(postgres) -> None:
    code, result = probe(postgres.dsn(), connections=20)
    assert code == 0 and result["ok"] is True
    assert result["succeeded"] == 20 and result["failures"] == {}
    for phase in ("resolve", "tcp", "connect", "query"):
        assert set(result["phases"][phase]) == {"p50", "p95", "p99", "max", "mean"}
    assert result["connectSeconds"]["max"] < 5
    assert result["target"] == f"postgresql://app@127.0.0.1:{postgres.port}/app"
    assert settle(postgres) == 0


def test_database_down_is_refused_infrastructure() -> None:
    code, result = probe(f"postgresql://app:{PASSWORD}@127.0.0.1:{free_port()}/app")
    assert code == 1 and result["failures"] == {"refused": 5}
    assert result["classification"] == "infrastructure"
    assert result["elapsedSeconds"] < 10


def test_two_seconds_of_added_latency_is_measured(postgres, proxy) -> None:
    proxy.faults.latency = 2.0
    code, result = probe(postgres.dsn(port=proxy.port), connections=3, deadline=10)
    assert code == 0, result
    assert 2.0 <= result["connectSeconds"]["p50"] < 4.0
    assert result["phases"]["tcp"]["max"] < 1.0, "the delay is in the database phase"
    assert result["elapsedSeconds"] < 10, "within its own deadline"
    assert settle(postgres) == 0


def test_latency_beyond_the_deadline_is_a_timeout_within_a_second(postgres, proxy) -> None:
    proxy.faults.latency = 30.0
    code, result = probe(postgres.dsn(port=proxy.port), connections=3, deadline=2)
    assert code == 1 and result["failures"] == {"timeout": 3}
    assert result["classification"] == "infrastructure"
    assert result["elapsedSeconds"] < 2 + 1, "the deadline, plus a second to cancel"
    assert settle(postgres) == 0


def test_black_hole_times_out(postgres, proxy) -> None:
    proxy.faults.blackhole = True
    code, result = probe(postgres.dsn(port=proxy.port), connections=2, deadline=2)
    assert code == 1 and result["failures"] == {"timeout": 2}
    assert result["elapsedSeconds"] < 3.0


def test_reset_is_infrastructure(postgres, proxy) -> None:
    proxy.faults.reset = True
    code, result = probe(postgres.dsn(port=proxy.port), connections=2, deadline=5)
    assert code == 1
    assert set(result["failures"]) <= {"reset", "network"}, result["failures"]
    assert result["classification"] == "infrastructure"


def test_wrong_password_is_configuration(postgres) -> None:
    code, result = probe(postgres.dsn(password="not-the-password"), connections=3)
    assert code == 1 and result["failures"] == {"authentication": 3}
    assert result["classification"] == "configuration"
    assert "not-the-password" not in json.dumps(result)
    assert settle(postgres) == 0


def test_unknown_host_is_configuration() -> None:
    code, result = probe(f"postgresql://app:{PASSWORD}@no-such-host.invalid:5432/app")
    assert code == 1 and result["failures"] == {"unknown-host": 5}
    assert result["classification"] == "configuration"
    assert result["elapsedSeconds"] < 10


def test_max_connections_reached_is_too_many_clients() -> None:
    small = start_postgres(max_connections=8)  # 5 for the app once 3 are reserved
    try:
        code, result = probe(small.dsn(), connections=12, deadline=10)
        assert code == 1
        assert result["failures"] == {"too-many-clients": 12 - result["succeeded"]}
        assert 1 <= result["succeeded"] <= 5
        assert result["classification"] == "infrastructure"
        assert settle(small) == 0
    finally:
        remove(small)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dsn", "mysql://x@h/db"], "--dsn: must start with postgresql://"),
        (["--dsn", "postgresql://u:p@h/db", "--connections", "0"], "--connections: must be 1-1000"),
        (["--dsn", "postgresql://u:p@h/db", "--deadline", "0"], "--deadline: must be above 0"),
    ],
)
def test_bad_input_exits_2(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "probe", *args], capture_output=True, text=True
    )
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr

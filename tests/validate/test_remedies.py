"""The fix follows the diagnosis: every classification the database and Redis probes reach,
driven against real servers through `conduit validate`, prints the one remedy of its class in
every format, and never the other class's."""

from __future__ import annotations

import json
import subprocess
import sys
from xml.etree import ElementTree as ET

import pytest

from conduit.core.failures import FailureClass
from conduit.validate.checks import database_connect, redis_connect
from tests.support.postgres import free_port, remove, start_postgres
from tests.support.project import ROOT
from tests.support.redis_server import start_redis


def _validate(*args: str, fmt: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "conduit.cli",
            "validate",
            "--format",
            fmt,
            "--deadline",
            "20",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout


def _remedies_in(fmt: str, text: str) -> list[str]:
    """Every remedy the report prints, as each format carries it."""
    if fmt == "json":
        return [f["remediation"] for f in json.loads(text)["findings"] if f["remediation"]]
    if fmt == "junit":
        bodies = [e.text or "" for e in ET.fromstring(text).iter("failure")]
        return [
            line.removeprefix("Fix: ")
            for b in bodies
            for line in b.splitlines()
            if line.startswith("Fix: ")
        ]
    if fmt == "markdown":
        return [
            line.removeprefix("  - Fix: ")
            for line in text.splitlines()
            if line.startswith("  - Fix: ")
        ]
    return [
        line.strip().removeprefix("fix: ")
        for line in text.splitlines()
        if line.strip().startswith("fix: ")
    ]


FORMATS = ["text", "markdown", "json", "junit"]


def _assert_one_remedy(args: tuple[str, ...], classification: str, remedies: dict) -> None:
    for fmt in FORMATS:
        text = _validate(*args, fmt=fmt)
        assert _remedies_in(fmt, text) == [remedies[classification]], fmt
        other = next(c for c in remedies if c != classification)
        assert remedies[other] not in text, fmt
    report = json.loads(_validate(*args, fmt="json"))
    (finding,) = report["findings"]
    assert (finding["outcome"], finding["classification"]) == ("fail", classification)


@pytest.fixture(scope="module")
def small_postgres():
    """max_connections 8: 5 for the app once the superuser slots are kept."""
    server = start_postgres(max_connections=8)
    yield server
    remove(server)


@pytest.mark.parametrize(
    ("case", "classification"),
    [
        ("wrong-password", FailureClass.CONFIGURATION),
        ("unknown-database", FailureClass.CONFIGURATION),
        ("refused", FailureClass.INFRASTRUCTURE),
        ("too-many-clients", FailureClass.INFRASTRUCTURE),
    ],
)
def test_each_database_classification_prints_its_one_remedy(
    small_postgres, tmp_path, case: str, classification: str
) -> None:
    dsn = {
        "wrong-password": small_postgres.dsn(password="wrong"),
        "unknown-database": small_postgres.dsn(database="nosuchdb"),
        "refused": small_postgres.dsn(port=free_port()),
        "too-many-clients": small_postgres.dsn(),
    }[case]
    connections = "12" if case == "too-many-clients" else "2"
    outputs = {"successCriteria": {"concurrentConnections": int(connections)}}
    args = ("--dsn", dsn, "--only", "database-connect")
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    _assert_one_remedy((*args, "--outputs", str(path)), classification, database_connect.REMEDIES)


@pytest.mark.parametrize(
    ("case", "classification"),
    [("wrong-password", FailureClass.CONFIGURATION), ("refused", FailureClass.INFRASTRUCTURE)],
)
def test_each_redis_classification_prints_its_one_remedy(case: str, classification: str) -> None:
    server = start_redis()
    try:
        url = (
            server.url(password="wrong")
            if case == "wrong-password"
            else server.url(port=free_port())
        )
        args = ("--redis-url", url, "--only", "redis-connect")
        _assert_one_remedy(args, classification, redis_connect.REMEDIES)
    finally:
        server.stop()

"""`conduit probe --redis-url` against a real redis-server (Debian's), behind the fault proxy:
healthy, down, wrong password, latency, black hole, TLS either way round. Each case asserts the
outcome, the classification, the exit code, a bounded time (the probe's own, measured inside its
process) and that no client connection is left open (`CLIENT LIST`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conduit.probe.redis import RedisUrlError, parse_redis_url, redis_url_from_env
from tests.support.faultproxy import FaultProxy
from tests.support.postgres import free_port
from tests.support.project import ROOT
from tests.support.redis_server import REDIS_PASSWORD, start_redis


@pytest.fixture(scope="module")
def redis_plain():
    server = start_redis()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def redis_tls():
    server = start_redis(tls=True)
    yield server
    server.stop()


@pytest.fixture
def redis_proxy(redis_plain):
    proxy = FaultProxy(redis_plain.port)
    yield proxy
    proxy.close()


def probe(*args: str, url: str | None = None) -> tuple[int, dict, str]:
    """The console command with the URL in the environment, as the probe job runs it."""
    env = {**os.environ, **({"CONDUIT_REDIS_URL": url} if url else {})}
    result = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "probe", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert REDIS_PASSWORD not in result.stdout + result.stderr, "the AUTH string was printed"
    report = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.returncode, report, result.stderr


def test_healthy_redis_connects_every_connection_and_times_each_phase(redis_plain) -> None:
    code, result, _ = probe("--redis", "--connections", "20", url=redis_plain.url())
    assert (code, result["ok"], result["succeeded"], result["failures"]) == (0, True, 20, {})
    assert result["target"] == f"redis://:***@127.0.0.1:{redis_plain.port}/0"
    assert set(result["phases"]) == {"resolve", "tcp", "connect", "query"}
    assert all(result["phases"][p]["max"] >= 0 for p in result["phases"])
    assert result["elapsedSeconds"] < 5
    assert redis_plain.settle() == 0


def test_redis_down_is_refused_infrastructure() -> None:
    url = f"redis://:{REDIS_PASSWORD}@127.0.0.1:{free_port()}/0"
    code, result, _ = probe("--redis", "--connections", "3", url=url)
    assert (code, result["failures"], result["classification"]) == (
        1,
        {"refused": 3},
        "infrastructure",
    )
    assert result["elapsedSeconds"] < 5


def test_a_wrong_password_is_configuration(redis_plain) -> None:
    code, result, _ = probe("--redis", "--connections", "3", url=redis_plain.url("not-it"))
    assert (code, result["failures"], result["classification"]) == (
        1,
        {"authentication": 3},
        "configuration",
    )
    assert redis_plain.settle() == 0


def test_latency_within_the_deadline_is_measured(redis_plain, redis_proxy) -> None:
    redis_proxy.faults.latency = 0.5
    code, result, _ = probe(
        "--redis", "--connections", "5", url=redis_plain.url(port=redis_proxy.port)
    )
    assert (code, result["succeeded"]) == (0, 5)
    # The proxy holds each upstream connection 0.5 s: AUTH waits for it.
    assert 0.5 <= result["connectSeconds"]["max"] < 3
    assert redis_plain.settle() == 0


def test_a_black_hole_times_out_within_the_deadline(redis_plain, redis_proxy) -> None:
    redis_proxy.faults.blackhole = True
    code, result, _ = probe(
        "--redis",
        "--connections",
        "3",
        "--deadline",
        "1.5",
        url=redis_plain.url(port=redis_proxy.port),
    )
    assert (code, result["failures"], result["classification"]) == (
        1,
        {"timeout": 3},
        "infrastructure",
    )
    assert result["elapsedSeconds"] < 2.5
    assert redis_plain.settle() == 0


def test_plain_text_to_a_tls_port_is_configuration(redis_tls) -> None:
    plain = redis_tls.url().replace("rediss://", "redis://")
    code, result, _ = probe("--redis", "--connections", "2", url=plain)
    assert (code, result["failures"], result["classification"]) == (
        1,
        {"tls-required": 2},
        "configuration",
    )
    assert redis_tls.settle() == 0


def test_tls_to_a_plain_port_is_configuration(redis_plain) -> None:
    tls = redis_plain.url().replace("redis://", "rediss://")
    code, result, _ = probe("--redis", "--connections", "2", "--deadline", "1.5", url=tls)
    assert (code, result["failures"], result["classification"]) == (
        1,
        {"tls-mismatch": 2},
        "configuration",
    )
    assert result["elapsedSeconds"] < 3
    assert redis_plain.settle() == 0


def test_tls_with_the_server_s_ca_connects_and_without_it_is_untrusted(redis_tls) -> None:
    code, result, _ = probe(
        "--redis-url", redis_tls.url(), "--redis-ca", redis_tls.ca_file, "--connections", "3"
    )
    assert (code, result["succeeded"], result["target"]) == (
        0,
        3,
        f"rediss://:***@127.0.0.1:{redis_tls.port}/0",
    )
    code, result, _ = probe("--redis", "--connections", "1", url=redis_tls.url())
    assert (code, result["failures"], result["classification"]) == (
        1,
        {"tls-untrusted": 1},
        "configuration",
    )
    assert redis_tls.settle() == 0


def test_the_ca_from_the_services_env_is_used_as_text(redis_tls) -> None:
    env = {
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(redis_tls.port),
        "REDIS_TLS": "true",
        "REDIS_AUTH": REDIS_PASSWORD,
        "REDIS_CA_CERT": open(redis_tls.ca_file).read(),
    }
    result = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "probe", "--redis", "--connections", "2"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert REDIS_PASSWORD not in result.stdout + result.stderr
    assert redis_tls.settle() == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://h:1", "--redis-url: must start with redis:// or rediss:// (TLS)"),
        ("redis://:pw@/0", "--redis-url: no host"),
        ("redis://:pw@h:6379/x", "--redis-url: the path must be a database number"),
        ("redis://:pw@h:99999", "--redis-url: not a valid URL"),
    ],
)
def test_bad_redis_urls_are_refused_without_their_password(url: str, message: str) -> None:
    with pytest.raises(RedisUrlError) as caught:
        parse_redis_url(url)
    assert str(caught.value).startswith(message) and "pw" not in str(caught.value)
    code, _, stderr = probe("--redis-url", url)
    assert code == 2 and stderr.startswith(message) and "Traceback" not in stderr


def test_the_url_from_the_services_env() -> None:
    env = {
        "REDIS_HOST": "10.60.1.4",
        "REDIS_PORT": "6378",
        "REDIS_TLS": "true",
        "REDIS_AUTH": "a/b",
    }
    assert redis_url_from_env(env) == "rediss://:a%2Fb@10.60.1.4:6378/0"
    target = parse_redis_url(redis_url_from_env(env) or "")
    assert (target.password, target.port, target.tls, str(target)) == (
        "a/b",
        6378,
        True,
        "rediss://:***@10.60.1.4:6378/0",
    )
    assert redis_url_from_env({}) is None
    assert redis_url_from_env({"CONDUIT_REDIS_URL": "redis://h"}) == "redis://h"

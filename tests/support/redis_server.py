"""A real Redis server (Debian's redis-server) in a temp directory, started and stopped by the
tests: AUTH on, and with `tls`, a TLS-only port signed by a CA made here with openssl."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.support.postgres import free_port

REDIS_PASSWORD = "redis-auth-9Kp"


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(
            f"{name} not found: install it with `make redis` (Debian's redis-server)"
        )
    return found


@dataclass
class RedisServer:
    directory: Path
    port: int
    tls: bool
    process: subprocess.Popen

    @property
    def ca_file(self) -> str:
        return str(self.directory / "ca.crt")

    def url(self, password: str | None = REDIS_PASSWORD, port: int | None = None) -> str:
        scheme = "rediss" if self.tls else "redis"
        auth = f":{password}@" if password else ""
        return f"{scheme}://{auth}127.0.0.1:{port or self.port}/0"

    def admin(self) -> redis.Redis:
        """A client of the test itself (named, so the leak check leaves it out)."""
        options = {"ssl": True, "ssl_ca_certs": self.ca_file, "ssl_check_hostname": False}
        return redis.Redis(
            host="127.0.0.1",
            port=self.port,
            password=REDIS_PASSWORD,
            client_name="conduit-tests",
            **(options if self.tls else {}),
        )

    def clients(self) -> int:
        """Connections other than the test's own: the leak check (`CLIENT LIST`)."""
        with self.admin() as admin:
            return sum(1 for c in admin.client_list() if c.get("name") != "conduit-tests")

    def settle(self, timeout: float = 5.0) -> int:
        """Client connections left once the server has seen every close."""
        stop = time.monotonic() + timeout
        while (left := self.clients()) and time.monotonic() < stop:
            time.sleep(0.05)
        return left

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def _certificates(directory: Path) -> None:
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
            "-keyout", "ca.key", "-out", "ca.crt")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", "server.key", "-out", "server.csr")  # fmt: skip
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-out", "server.crt")  # fmt: skip


def start_redis(tls: bool = False) -> RedisServer:
    """redis-server on a free loopback port, no persistence, AUTH required."""
    directory = Path(tempfile.mkdtemp(prefix="conduit-redis-"))
    port = free_port()
    args = [
        _binary("redis-server"),
        "--bind", "127.0.0.1",
        "--requirepass", REDIS_PASSWORD,
        "--save", "",
        "--appendonly", "no",
        "--dir", str(directory),
        "--protected-mode", "no",
    ]  # fmt: skip
    if tls:
        _certificates(directory)
        args += [
            "--port", "0",
            "--tls-port", str(port),
            "--tls-cert-file", str(directory / "server.crt"),
            "--tls-key-file", str(directory / "server.key"),
            "--tls-ca-cert-file", str(directory / "ca.crt"),
            "--tls-auth-clients", "no",
        ]  # fmt: skip
    else:
        args += ["--port", str(port)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = RedisServer(directory, port, tls, process)
    stop = time.monotonic() + 10
    while True:
        try:
            with server.admin() as admin:
                admin.ping()
            return server
        except redis.exceptions.ConnectionError:
            if process.poll() is not None or time.monotonic() > stop:
                server.stop()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)

"""A real PostgreSQL server (Debian's) in a temp directory, started and stopped by the tests."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "probe-pass-7Qx"


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(
            f"PostgreSQL's {name} not found: install it with `make postgres` (Debian's postgresql)"
        )
    return found[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Postgres:
    """A running server: its port, and helpers to run SQL as the superuser."""

    directory: Path
    port: int
    user: str | None

    def dsn(
        self,
        user: str = "app",
        password: str = PASSWORD,
        port: int | None = None,
        host: str = "127.0.0.1",
        database: str = "app",
    ) -> str:
        return f"postgresql://{user}:{password}@{host}:{port or self.port}/{database}"

    def _run(self, *command: str, **kwargs) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, check=True, **kwargs
        )

    def sql(self, statement: str) -> str:
        return self._run(
            _bin("psql"),
            "-h",
            str(self.directory),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-At",
            "-c",
            statement,
        ).stdout.strip()

    def app_connections(self) -> int:
        """Sessions of the app role still open: the leak check."""
        return int(self.sql("SELECT count(*) FROM pg_stat_activity WHERE usename = 'app'"))

    def stop(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "stop")

    def start(self) -> None:
        self._run(
            _bin("pg_ctl"),
            "-D",
            str(self.directory / "data"),
            "-w",
            "-l",
            str(self.directory / "log"),
            "start",
        )


def start_postgres(max_connections: int = 100, tls: tuple[bytes, bytes] | None = None) -> Postgres:
    """initdb + start on a free loopback port; as root, the server runs as the `postgres` user.
    With `tls` (certificate and key, PEM), the server speaks TLS only and logs connections."""
    user = "postgres" if os.geteuid() == 0 else None
    directory = Path(tempfile.mkdtemp(prefix="conduit-pg-"))
    if user:
        entry = pwd.getpwnam(user)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
    server = Postgres(directory, free_port(), user)
    server._run(
        _bin("initdb"),
        "-D",
        str(directory / "data"),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
    )
    with open(directory / "data" / "postgresql.conf", "a") as conf:
        conf.write(
            f"port = {server.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{directory}'\nmax_connections = {max_connections}\n"
            "superuser_reserved_connections = 3\nfsync = off\n"
        )
    # Password authentication over TCP for everyone but the local superuser socket.
    (directory / "data" / "pg_hba.conf").write_text(
        "local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
    )
    if tls is not None:
        data = directory / "data"
        (data / "server.crt").write_bytes(tls[0])
        (data / "server.key").write_bytes(tls[1])
        os.chmod(data / "server.key", 0o600)
        with open(data / "postgresql.conf", "a") as conf:
            conf.write("ssl = on\nlog_connections = on\n")
        (data / "pg_hba.conf").write_text(
            "local all postgres trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n"
        )
        if user:
            for name in ("server.crt", "server.key"):
                shutil.chown(data / name, user, user)
    if user:
        shutil.chown(directory / "data" / "postgresql.conf", user, user)
        shutil.chown(directory / "data" / "pg_hba.conf", user, user)
    server.start()
    server.sql(f"CREATE ROLE app LOGIN PASSWORD '{PASSWORD}'")
    server.sql("CREATE DATABASE app OWNER app")
    return server


def remove(server: Postgres) -> None:
    try:
        server.stop()
    finally:
        shutil.rmtree(server.directory, ignore_errors=True)


def settle(postgres) -> int:
    """App sessions still open once the server has noticed closed sockets."""
    for _ in range(50):
        if postgres.app_connections() == 0:
            return 0
        time.sleep(0.1)
    return postgres.app_connections()

"""The connection URLs a service may ask for, built from the parts the stack creates."""

from __future__ import annotations

from urllib.parse import quote

POSTGRES_PORT = 5432


def postgres(user: str, password: str, host: str, database: str) -> str:
    """`postgresql://user:password@host:5432/database?sslmode=require`: Cloud SQL takes only
    encrypted connections (facts.SSL_MODE_REQUIRED); each part percent-encoded."""
    return (
        f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{POSTGRES_PORT}/"
        f"{quote(database, safe='')}?sslmode=require"
    )


def redis(host: str, port: int | str, auth: str, *, tls: bool) -> str:
    """`rediss://:AUTH@host:port/0` with TLS, `redis://` without; no `:AUTH@` when AUTH is off."""
    scheme = "rediss" if tls else "redis"
    credentials = f":{quote(auth, safe='')}@" if auth else ""
    return f"{scheme}://{credentials}{host}:{port}/0"

"""Parse a PostgreSQL DSN once, and describe it without its password."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


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


def url_problem(error: ValueError) -> str:
    """What urllib found wrong with a URL, in words that never quote the URL: its messages do
    ("Port could not be cast to integer value as 'hunter2'" for `user:hunter2/x@host`)."""
    if "port" in str(error).lower():
        return (
            "the text after the host's ':' is not a port number; percent-encode ':', '/', '@' "
            "and '#' in the password (e.g. '/' as %2F)"
        )
    return "it is not a well-formed URL; percent-encode special characters in the password"


def parse_dsn(raw: str, ca_pem: str | None = None) -> Dsn:
    """Validate a DSN; DsnError names what is wrong and never echoes it."""
    try:
        parts = urlsplit(raw)
        port = parts.port or 5432
    except ValueError as error:
        raise DsnError(f"--dsn: not a valid DSN ({url_problem(error)})") from None
    if parts.scheme not in ("postgres", "postgresql"):
        raise DsnError(
            "--dsn: must start with postgresql:// (allowed schemes: postgres, postgresql)"
        )
    if not parts.hostname:
        raise DsnError("--dsn: no host")
    database = unquote(parts.path.lstrip("/")) or unquote(parts.username or "postgres")
    return Dsn(
        raw, parts.hostname, port, unquote(parts.username or "postgres"), database, ca_pem or None
    )


CA_ENV = "DATABASE_CA_CERT"
"""The Cloud SQL instance's server CA as text: the stack gives it to the services and the probe
job from the instance's own output (serverCaCerts), never as a literal."""

DSN_ENV = "CONDUIT_DSN"
"""Where the probe finds its DSN when not given one: keeps the password out of process lists."""


def dsn_from_env(env: dict[str, str]) -> str | None:
    """CONDUIT_DSN, else the DATABASE_* variables the stack gives the service and the probe job."""
    if env.get(DSN_ENV):
        return env[DSN_ENV]
    if not all(env.get(k) for k in ("DATABASE_HOST", "DATABASE_USER", "DATABASE_PASSWORD")):
        return None
    from urllib.parse import quote

    return (
        f"postgresql://{quote(env['DATABASE_USER'])}:{quote(env['DATABASE_PASSWORD'])}@"
        f"{env['DATABASE_HOST']}:{env.get('DATABASE_PORT', '5432')}/"
        f"{quote(env.get('DATABASE_NAME', 'postgres'))}"
    )

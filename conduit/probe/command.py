"""`conduit probe`: its arguments, and the run that prints one JSON result."""

from __future__ import annotations

import argparse
import os

from conduit import arguments
from conduit.core.exitcodes import ExitCode

HELP = "open K database (or Redis) connections at once, time them, print one JSON result"


def epilog() -> str:
    """The examples under `conduit probe --help`."""
    return (
        "example:\n  CONDUIT_DSN=postgresql://app:...@10.60.0.3:5432/app "
        "conduit probe --connections 20 --deadline 30\n"
        "  CONDUIT_REDIS_URL=rediss://:...@10.60.1.4:6378/0 "
        "conduit probe --redis --redis-ca server-ca.pem"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The target (a DSN, a Redis URL or the environment's), how many connections, how long."""
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--dsn",
        help="postgresql://user:password@host:port/db (default: $CONDUIT_DSN, else the "
        "DATABASE_HOST/USER/PASSWORD/NAME variables the probe job gets)",
    )
    target.add_argument(
        "--redis-url",
        help="probe Redis: redis://[:password@]host:port[/db], or rediss:// for TLS",
    )
    target.add_argument(
        "--redis",
        action="store_true",
        help="probe Redis at $CONDUIT_REDIS_URL, else the REDIS_HOST/PORT/TLS/AUTH variables "
        "a service with redis gets",
    )
    parser.add_argument(
        "--redis-ca", help="the Redis server's CA certificate (PEM file), for rediss://"
    )
    parser.add_argument("--connections", type=int, default=1, help="K concurrent connections")
    parser.add_argument("--deadline", type=float, default=30.0, help="seconds for the whole probe")
    parser.add_argument(
        "--hold",
        type=float,
        default=0.0,
        help="keep the connections open this long, as a starting instance keeps its pool",
    )


def run(args: argparse.Namespace) -> ExitCode:
    """Probe the target; OK when every connection succeeded, FINDINGS when one failed."""
    import asyncio
    import json

    from conduit.probe.burst import MAX_CONNECTIONS
    from conduit.probe.postgres import (
        CA_ENV,
        DSN_ENV,
        ENV_DSN_SOURCE,
        DsnError,
        checked_ca,
        dsn_from_env,
        parse_dsn,
        probe,
    )
    from conduit.probe.redis import (
        ENV_URL_SOURCE,
        REDIS_URL_ENV,
        RedisUrlError,
        parse_redis_url,
        probe_redis,
        redis_url_from_env,
    )

    redis = bool(args.redis_url or args.redis or args.redis_ca)
    try:
        if redis:
            raw = args.redis_url or redis_url_from_env(os.environ)
            if not raw:
                raise arguments.ArgumentError(
                    "--redis-url: required (or CONDUIT_REDIS_URL, or REDIS_HOST/PORT/AUTH)"
                )
            arguments.existing_file("--redis-ca", args.redis_ca)
            # The probe job's services get the server's CA as text, not as a file.
            pem = None if args.redis_ca or args.redis_url else os.environ.get("REDIS_CA_CERT")
            source = _source(args.redis_url, "--redis-url", REDIS_URL_ENV, ENV_URL_SOURCE)
            redis_target, dsn = parse_redis_url(raw, args.redis_ca, pem or None, source), None
        else:
            raw = args.dsn or dsn_from_env(dict(os.environ))
            if not raw:
                raise arguments.ArgumentError(
                    "--dsn: required (or CONDUIT_DSN, or DATABASE_HOST/USER/PASSWORD)"
                )
            ca = os.environ.get(CA_ENV) or None
            source = _source(args.dsn, "--dsn", DSN_ENV, ENV_DSN_SOURCE)
            redis_target, dsn = None, parse_dsn(raw, ca and checked_ca(ca, CA_ENV), source)
    except (DsnError, RedisUrlError) as error:
        raise arguments.ArgumentError(str(error)) from None
    connections = arguments.count_within("--connections", args.connections, 1, MAX_CONNECTIONS)
    deadline = arguments.seconds_above_zero("--deadline", args.deadline)
    hold = arguments.seconds_from_zero("--hold", args.hold)
    if redis_target is not None:
        result = asyncio.run(probe_redis(redis_target, connections, deadline, hold))
    else:
        assert dsn is not None
        result = asyncio.run(probe(dsn, connections, deadline, hold))
    print(json.dumps(result.as_dict()))
    return ExitCode.OK if result.ok else ExitCode.FINDINGS


def _source(given: str | None, flag: str, variable: str, variables: str) -> str:
    """Where the target came from, for an error about it: the flag, the one variable, or the
    variables it was built from."""
    if given:
        return flag
    return variable if os.environ.get(variable) else variables

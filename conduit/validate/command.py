"""`conduit validate`: its arguments, and the typed request built from them."""

from __future__ import annotations

import argparse
from pathlib import Path

from conduit import arguments
from conduit.core.exitcodes import ExitCode
from conduit.validate.request import STORM_RUNNERS, CheckSelection, ValidateRequest

HELP = "measure the success criteria on a live stack (or local stand-ins)"
STORM_TASKS = (1, 1000)


def epilog() -> str:
    """The check catalogue and examples under `conduit validate --help` (imports every check)."""
    from conduit.validate.checks import CHECKS

    checks = "\n".join(f"  {c.ID:<22} {c.DESCRIPTION}" for c in CHECKS)
    return (
        f"checks (for --only and --skip), in the order they run:\n{checks}\n\n"
        "example:\n"
        "  conduit validate --stack staging --format junit --output reports/validate.xml\n"
        "  conduit validate --service-url https://backend-abc-uc.a.run.app --only "
        "health-endpoints"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the targets come from, which checks run, how long they may take, the report."""
    parser.add_argument(
        "--stack", help="settings from Pulumi.<stack>.yaml; outputs from `pulumi stack output`"
    )
    parser.add_argument(
        "--outputs", type=Path, help="a JSON file of `pulumi stack output --json --show-secrets`"
    )
    parser.add_argument("--cwd", type=Path, default=Path("."), help="the Pulumi project dir")
    parser.add_argument(
        "--service-url",
        action="append",
        help="the service's base URL, or NAME=URL for one of several services (repeatable; "
        "overrides the outputs)",
    )
    parser.add_argument("--dsn", help="a DSN reachable from here (overrides the outputs)")
    parser.add_argument(
        "--dsn-ca",
        metavar="FILE",
        help="the database server's CA certificate (PEM file; Cloud SQL's: `gcloud sql instances "
        "describe INSTANCE --format 'value(serverCaCert.cert)'`): with it --dsn's certificate is "
        "verified (verify-ca) before the password is sent; without, the DSN's own sslmode",
    )
    parser.add_argument(
        "--redis-url", help="a Redis URL reachable from here, redis:// or rediss:// (TLS)"
    )
    parser.add_argument("--redis-ca", help="the Redis server's CA certificate (PEM file)")
    selection = parser.add_mutually_exclusive_group()
    selection.add_argument("--only", help="comma-separated check ids to run")
    selection.add_argument("--skip", help="comma-separated check ids not to run")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds for the whole run")
    parser.add_argument(
        "--health-wait",
        type=float,
        default=60.0,
        help="seconds the health endpoints may take to answer 200",
    )
    parser.add_argument("--storm-tasks", type=int, default=10, help="parallel probes in the storm")
    parser.add_argument(
        "--storm-runner",
        choices=STORM_RUNNERS,
        default="auto",
        help="local: N probe processes here (needs a DSN); cloudrun: the stack's probe job with "
        "N tasks; auto: local with --dsn, else the probe job",
    )
    parser.add_argument("--api-endpoint", help="send every Google API call here (emulators, fakes)")
    parser.add_argument(
        "--id-token",
        help="identity token for a private service (default: $CONDUIT_ID_TOKEN, else Google "
        "Application Default Credentials); sent as a bearer token, never printed",
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="exit 0 even when every check had to skip (default: exit 2, nothing to validate)",
    )
    arguments.add_report_arguments(parser, arguments.VALIDATE_FORMATS)


def request_of(args: argparse.Namespace) -> ValidateRequest:
    """The typed request of a parsed command line; ArgumentError for a value out of range."""
    deadline = arguments.seconds_above_zero("--deadline", args.deadline)
    health_wait = arguments.seconds_above_zero("--health-wait", args.health_wait)
    storm_tasks = arguments.count_within("--storm-tasks", args.storm_tasks, *STORM_TASKS)
    redis_ca = arguments.existing_file("--redis-ca", args.redis_ca)
    dsn_ca = arguments.existing_file("--dsn-ca", args.dsn_ca)
    return ValidateRequest(
        stack=args.stack,
        outputs=args.outputs,
        project_dir=args.cwd.resolve(),
        service_urls=tuple(args.service_url or ()),
        dsn=args.dsn,
        dsn_ca=Path(dsn_ca) if dsn_ca else None,
        redis_url=args.redis_url,
        redis_ca=redis_ca,
        selection=_selection(args.only, args.skip),
        deadline=deadline,
        health_wait=health_wait,
        storm_tasks=storm_tasks,
        storm_runner=args.storm_runner,
        api_endpoint=args.api_endpoint,
        id_token=args.id_token,
        allow_empty=args.allow_empty,
        formats=tuple(args.format) if args.format is not None else None,
        output=args.output,
    )


def _selection(only: str | None, skip: str | None) -> CheckSelection | None:
    chosen = only or skip
    if not chosen:
        return None
    ids = tuple(n.strip() for n in chosen.split(",") if n.strip())
    return CheckSelection("--only" if only else "--skip", ids)


def run(args: argparse.Namespace) -> ExitCode:
    """Validate the stack the command line names."""
    from conduit.validate.session import validate_request

    return validate_request(request_of(args))

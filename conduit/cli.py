"""The `conduit` command: argument parsing and wiring only."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from conduit import interrupts
from conduit.core.exitcodes import ExitCode
from conduit.report.output import format_spec

if TYPE_CHECKING:
    from conduit.report.model import Report

FORMATS = ("text", "markdown", "json", "sarif", "junit")
VALIDATE_FORMATS = ("text", "markdown", "json", "junit")


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults beside every option that has one; examples kept as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False) or "default:" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """Builds its epilog only when help is printed: the check catalogue imports every check."""

    def __init__(self, *args, epilog_factory: Callable[[], str] | None = None, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._epilog_factory = epilog_factory

    def format_help(self) -> str:
        if self._epilog_factory is not None:
            self.epilog = self._epilog_factory()
        return super().format_help()


def _validate_epilog() -> str:
    from conduit.validate.checks import CHECKS

    checks = "\n".join(f"  {c.ID:<22} {c.DESCRIPTION}" for c in CHECKS)
    return (
        f"checks (for --only and --skip), in the order they run:\n{checks}\n\n"
        "example:\n"
        "  conduit validate --stack staging --format junit --output reports/validate.xml\n"
        "  conduit validate --service-url https://backend-abc-uc.a.run.app --only "
        "health-endpoints"
    )


def _add_report_arguments(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """`--format FMT[=PATH]` (repeatable) and `--output`, as every reporting command takes them."""
    parser.add_argument(
        "--format",
        action="append",
        type=format_spec(formats),
        metavar="FMT[=PATH]",
        help=f"{', '.join(formats)} (default text); repeat with =PATH to write several formats "
        "from one run",
    )
    parser.add_argument("--output", type=Path, help="write the report here instead of stdout")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="conduit",
        description="Cloud Run -> VPC connector -> private Cloud SQL: preview, validate, probe.",
    )
    parser.add_argument("--version", action="version", version=f"conduit {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    preview = commands.add_parser(
        "preview",
        help="offline policy preview of a stack: no cloud account, no Pulumi CLI",
        epilog_factory=lambda: (
            "example:\n  conduit preview --stack staging --format markdown --output preview.md"
        ),
    )
    preview.add_argument("--stack", default="staging", help="stack name: Pulumi.<stack>.yaml")
    preview.add_argument(
        "--cwd", type=Path, default=Path("."), help="the Pulumi project dir (with Pulumi.yaml)"
    )
    preview.add_argument("--policy-pack", type=Path, help="pack dir (default: policies/)")
    preview.add_argument(
        "--policy-config",
        type=Path,
        help="policy config JSON (default: <pack>/config/<stack>.json, else the stack grade's "
        "defaults: production.json for production, the pack's own for standard)",
    )
    _add_report_arguments(preview, FORMATS)

    audit = commands.add_parser(
        "audit",
        help="the policy pack over a deployed stack: the JSON of `pulumi stack export`",
        epilog_factory=lambda: (
            "example:\n  pulumi stack export --stack staging > staging.json\n"
            "  conduit audit --state staging.json --format sarif --output audit.sarif"
        ),
    )
    audit.add_argument(
        "--state", type=Path, required=True, help="a `pulumi stack export` file (version 3)"
    )
    audit.add_argument("--policy-pack", type=Path, help="pack dir (default: policies/)")
    audit.add_argument(
        "--policy-config",
        type=Path,
        help="policy config JSON (default: <pack>/config/<the export's stack>.json)",
    )
    _add_report_arguments(audit, FORMATS)

    pack = commands.add_parser(
        "policy-pack",
        help="where the installed policy pack is, for pulumi preview --policy-pack",
        epilog_factory=lambda: (
            'example:\n  pulumi preview --policy-pack "$(conduit policy-pack path)"'
        ),
    )
    pack.add_argument("action", choices=("path",), help="path: print the pack's directory")

    probe = commands.add_parser(
        "probe",
        help="open K database (or Redis) connections at once, time them, print one JSON result",
        epilog_factory=lambda: (
            "example:\n  CONDUIT_DSN=postgresql://app:...@10.60.0.3:5432/app "
            "conduit probe --connections 20 --deadline 30\n"
            "  CONDUIT_REDIS_URL=rediss://:...@10.60.1.4:6378/0 "
            "conduit probe --redis --redis-ca server-ca.pem"
        ),
    )
    target = probe.add_mutually_exclusive_group()
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
    probe.add_argument(
        "--redis-ca", help="the Redis server's CA certificate (PEM file), for rediss://"
    )
    probe.add_argument("--connections", type=int, default=1, help="K concurrent connections")
    probe.add_argument("--deadline", type=float, default=30.0, help="seconds for the whole probe")
    probe.add_argument(
        "--hold",
        type=float,
        default=0.0,
        help="keep the connections open this long, as a starting instance keeps its pool",
    )
    validate = commands.add_parser(
        "validate",
        help="measure the success criteria on a live stack (or local stand-ins)",
        epilog_factory=_validate_epilog,
    )
    validate.add_argument(
        "--stack", help="settings from Pulumi.<stack>.yaml; outputs from `pulumi stack output`"
    )
    validate.add_argument(
        "--outputs", type=Path, help="a JSON file of `pulumi stack output --json --show-secrets`"
    )
    validate.add_argument("--cwd", type=Path, default=Path("."), help="the Pulumi project dir")
    validate.add_argument(
        "--service-url",
        action="append",
        help="the service's base URL, or NAME=URL for one of several services (repeatable; "
        "overrides the outputs)",
    )
    validate.add_argument("--dsn", help="a DSN reachable from here (overrides the outputs)")
    validate.add_argument(
        "--redis-url", help="a Redis URL reachable from here, redis:// or rediss:// (TLS)"
    )
    validate.add_argument("--redis-ca", help="the Redis server's CA certificate (PEM file)")
    selection = validate.add_mutually_exclusive_group()
    selection.add_argument("--only", help="comma-separated check ids to run")
    selection.add_argument("--skip", help="comma-separated check ids not to run")
    validate.add_argument("--deadline", type=float, default=300.0, help="seconds for the whole run")
    validate.add_argument(
        "--health-wait",
        type=float,
        default=60.0,
        help="seconds the health endpoints may take to answer 200",
    )
    validate.add_argument(
        "--storm-tasks", type=int, default=10, help="parallel probes in the storm"
    )
    validate.add_argument(
        "--storm-runner",
        choices=("auto", "local", "cloudrun", "none"),
        default="auto",
        help="local: N probe processes here (needs a DSN); cloudrun: the stack's probe job with "
        "N tasks; auto: local with --dsn, else the probe job",
    )
    validate.add_argument(
        "--api-endpoint", help="send every Google API call here (emulators, fakes)"
    )
    validate.add_argument(
        "--id-token",
        help="identity token for a private service (default: $CONDUIT_ID_TOKEN, else Google "
        "Application Default Credentials); sent as a bearer token, never printed",
    )
    validate.add_argument(
        "--allow-empty",
        action="store_true",
        help="exit 0 even when every check had to skip (default: exit 2, nothing to validate)",
    )
    _add_report_arguments(validate, VALIDATE_FORMATS)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("conduit")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    # Google's libraries warn about Python 3.11's end of life on every import: not the user's news.
    warnings.filterwarnings(
        "ignore", message=".*Google will stop supporting", category=FutureWarning
    )
    args = _parser().parse_args(argv)
    try:
        with interrupts.handled():
            return _run(args)
    except KeyboardInterrupt as interrupted:  # interrupts.Interrupted is one too
        print("interrupted", file=sys.stderr)
        signum = getattr(interrupted, "signum", signal.SIGINT)
        return ExitCode.TERMINATED if signum == signal.SIGTERM else ExitCode.INTERRUPTED


FULL_INSTALL_ONLY = frozenset(
    {"pulumi", "pulumi_gcp", "pulumi_random", "pulumi_policy", "pydantic", "yaml", "jsonschema"}
    | {"google", "googleapiclient", "httpx", "grpc"}
)
"""What `conduit[all]` adds to the probe's slim install (pyproject.toml)."""


def _run(args: argparse.Namespace) -> int:
    commands = {
        "preview": _preview,
        "audit": _audit,
        "policy-pack": _policy_pack,
        "probe": _probe,
        "validate": _validate,
    }
    try:
        return commands[args.command](args)
    except ModuleNotFoundError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in FULL_INSTALL_ONLY:
            raise
        print(
            f"conduit {args.command}: needs {missing}, which the probe's slim install leaves "
            "out; install conduit[all] (pip install -e '.[all]', or make preview)",
            file=sys.stderr,
        )
        return ExitCode.INVALID_INPUT


def _probe(args: argparse.Namespace) -> int:
    import asyncio
    import json
    import os

    from conduit.probe.burst import MAX_CONNECTIONS
    from conduit.probe.postgres import CA_ENV, DsnError, dsn_from_env, parse_dsn, probe
    from conduit.probe.redis import RedisUrlError, parse_redis_url, probe_redis, redis_url_from_env

    redis = bool(args.redis_url or args.redis or args.redis_ca)
    try:
        if redis:
            raw = args.redis_url or redis_url_from_env(os.environ)
            if not raw:
                print(
                    "--redis-url: required (or CONDUIT_REDIS_URL, or REDIS_HOST/PORT/AUTH)",
                    file=sys.stderr,
                )
                return ExitCode.INVALID_INPUT
            if args.redis_ca and not os.path.isfile(args.redis_ca):
                print(f"--redis-ca: {args.redis_ca}: no such file", file=sys.stderr)
                return ExitCode.INVALID_INPUT
            # The probe job's services get the server's CA as text, not as a file.
            pem = None if args.redis_ca or args.redis_url else os.environ.get("REDIS_CA_CERT")
            redis_target = parse_redis_url(raw, args.redis_ca, pem or None)
        else:
            raw = args.dsn or dsn_from_env(dict(os.environ))
            if not raw:
                print(
                    "--dsn: required (or CONDUIT_DSN, or DATABASE_HOST/USER/PASSWORD)",
                    file=sys.stderr,
                )
                return ExitCode.INVALID_INPUT
            dsn = parse_dsn(raw, os.environ.get(CA_ENV))
    except (DsnError, RedisUrlError) as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
    if not 1 <= args.connections <= MAX_CONNECTIONS:
        print(
            f"--connections: must be 1-{MAX_CONNECTIONS}, got {args.connections}", file=sys.stderr
        )
        return ExitCode.INVALID_INPUT
    if args.deadline <= 0:
        print(f"--deadline: must be above 0 seconds, got {args.deadline:g}", file=sys.stderr)
        return ExitCode.INVALID_INPUT
    if args.hold < 0:
        print(f"--hold: must be 0 or more seconds, got {args.hold:g}", file=sys.stderr)
        return ExitCode.INVALID_INPUT
    burst = (
        probe_redis(redis_target, args.connections, args.deadline, args.hold)
        if redis
        else probe(dsn, args.connections, args.deadline, args.hold)
    )
    result = asyncio.run(burst)
    print(json.dumps(result.as_dict()))
    return ExitCode.OK if result.ok else ExitCode.FINDINGS


def _preview(args: argparse.Namespace) -> int:
    from conduit.core.loader import SettingsError
    from conduit.preview import run
    from conduit.preview.project import project_root

    try:
        # Run in a folder of the project, the CLI loads the project above it: so does this.
        project_dir = project_root(args.cwd.resolve())
    except SettingsError as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
    pack_dir = (args.policy_pack or run.default_pack_dir(project_dir)).resolve()
    request = run.PreviewRequest(project_dir, args.stack, pack_dir, args.policy_config)
    return _judged(args, "preview", lambda: run.preview(request))


def _audit(args: argparse.Namespace) -> int:
    from conduit.preview import run

    pack_dir = (args.policy_pack or run.default_pack_dir(Path.cwd())).resolve()
    request = run.AuditRequest(args.state, pack_dir, args.policy_config)
    return _judged(args, "audit", lambda: run.audit(request))


def _judged(args: argparse.Namespace, command: str, judge: Callable[[], Report]) -> int:
    """Run a preview or an audit (`judge`) and write its reports: the report's exit code, or 2
    for bad input, 3 when the pack or the program failed."""
    from conduit.core.loader import SettingsError
    from conduit.preview import analyzer, policy_config, run
    from conduit.report.output import OutputError, emit, plan_outputs

    try:
        # Refused before anything runs: a run whose reports have nowhere to go.
        plan_outputs(args.format, args.output)
    except OutputError as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
    try:
        report = judge()
    except (SettingsError, policy_config.PolicyConfigError) as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
    except (analyzer.PackError, run.ProgramError) as error:
        # The SDK reports an interruption inside the program as the program's own error.
        interrupts.raise_if_received()
        print(f"conduit {command}: {error}", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR
    try:
        emit(report, args.format, args.output)
    except OutputError as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
    return report.exit_code


def _policy_pack(_args: argparse.Namespace) -> int:
    from conduit.preview.pack_location import PackNotInstalledError, installed_pack_dir

    try:
        print(installed_pack_dir())
    except PackNotInstalledError as error:
        print(f"conduit policy-pack: {error}", file=sys.stderr)
        return ExitCode.INVALID_INPUT
    return ExitCode.OK


def _validate(args: argparse.Namespace) -> int:
    from conduit.report.output import OutputError
    from conduit.validate.command import ValidateError, validate_command

    try:
        return validate_command(args)
    except (ValidateError, OutputError) as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT


def console() -> None:
    """The console script: `main`, then end the process as soon as its output is out.

    Unloading pulumi_gcp's thousands of modules at interpreter exit took about 0.6 s of a 2.8 s
    preview; every file was written and the pack stopped before `main` returned, so there is
    nothing left for the teardown to do.
    """
    if sys.argv[1:2] == ["preview"]:
        # A preview is a short run that loads thousands of classes it keeps to the end:
        # collecting garbage among them took ~0.2 s and freed nothing worth having.
        gc.disable()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            # The reader went away (`| head`): nothing more can reach it, nothing to report.
            continue
    os._exit(int(code))


if __name__ == "__main__":
    console()

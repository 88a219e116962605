"""The `conduit` command: argument parsing and wiring only."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conduit.core.exitcodes import ExitCode
from conduit.core.loader import SettingsError

FORMATS = ("text", "markdown", "json", "sarif", "junit")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conduit",
        description="Cloud Run -> VPC connector -> private Cloud SQL: preview, validate, probe.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    preview = commands.add_parser(
        "preview", help="offline policy preview of a stack: no cloud account, no Pulumi CLI"
    )
    preview.add_argument("--stack", default="staging", help="stack name: Pulumi.<stack>.yaml")
    preview.add_argument("--cwd", type=Path, default=Path.cwd(), help="the Pulumi project dir")
    preview.add_argument("--policy-pack", type=Path, help="pack dir (default: policies/)")
    preview.add_argument(
        "--policy-config",
        type=Path,
        help="policy config JSON (default: <pack>/config/<stack>.json)",
    )
    preview.add_argument("--format", choices=FORMATS, default="text")
    preview.add_argument("--output", type=Path, help="write the report here instead of stdout")

    probe = commands.add_parser(
        "probe", help="open K database connections at once, time them, print one JSON result"
    )
    probe.add_argument("--dsn", required=True, help="postgresql://user:password@host:port/db")
    probe.add_argument("--connections", type=int, default=1, help="K concurrent connections")
    probe.add_argument("--deadline", type=float, default=30.0, help="seconds for the whole probe")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    if args.command == "preview":
        return _preview(args)
    if args.command == "probe":
        return _probe(args)
    return ExitCode.INVALID_INPUT


def _probe(args: argparse.Namespace) -> int:
    import asyncio
    import json

    from conduit.probe.dsn import DsnError, parse_dsn
    from conduit.probe.run import MAX_CONNECTIONS, probe

    try:
        dsn = parse_dsn(args.dsn)
    except DsnError as error:
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
    result = asyncio.run(probe(dsn, args.connections, args.deadline))
    print(json.dumps(result.as_dict()))
    return ExitCode.OK if result.ok else ExitCode.FINDINGS


def _preview(args: argparse.Namespace) -> int:
    from conduit.preview import analyzer, policy_config, run
    from conduit.report.render import RENDERERS

    project_dir = args.cwd.resolve()
    pack_dir = (args.policy_pack or run.default_pack_dir(project_dir)).resolve()
    config = args.policy_config or run.default_policy_config(pack_dir, args.stack)
    request = run.PreviewRequest(project_dir, args.stack, pack_dir, config)
    try:
        report = run.preview(request)
    except (SettingsError, policy_config.PolicyConfigError) as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
    except (analyzer.PackError, run.ProgramError) as error:
        print(f"conduit preview: {error}", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR
    rendered = RENDERERS[args.format](report)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(rendered, encoding="utf-8")
        print(report.summary())
    else:
        sys.stdout.write(rendered)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())

"""The `conduit` command: argument parsing and wiring only."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conduit.core.exitcodes import ExitCode
from conduit.core.loader import SettingsError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="conduit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    preview = commands.add_parser(
        "preview", help="run the program offline and show what the stack would create"
    )
    preview.add_argument("--stack", default="staging", help="stack name (Pulumi.<stack>.yaml)")
    preview.add_argument("--cwd", type=Path, default=Path.cwd(), help="the Pulumi project dir")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    if args.command == "preview":
        return _preview(args)
    return ExitCode.INVALID_INPUT


def _preview(args: argparse.Namespace) -> int:
    from conduit.preview.plan import plan_stack

    project_dir = args.cwd.resolve()
    try:
        plan = plan_stack(project_dir, args.stack)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
    print(f"Stack {plan.stack}: {len(plan.custom_resources)} resources")
    for type_, count in plan.counts_by_type():
        print(f"  {count:3d}  {type_}")
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())

"""`conduit preview`: its arguments, and the offline policy preview of one stack."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conduit import arguments
from conduit.core.exitcodes import ExitCode

HELP = "offline policy preview of a stack: no cloud account, no Pulumi CLI"


def epilog() -> str:
    """The example under `conduit preview --help`."""
    return "example:\n  conduit preview --stack staging --format markdown --output preview.md"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The stack, the project, the pack and its config, the report."""
    parser.add_argument("--stack", default="staging", help="stack name: Pulumi.<stack>.yaml")
    parser.add_argument(
        "--cwd", type=Path, default=Path("."), help="the Pulumi project dir (with Pulumi.yaml)"
    )
    parser.add_argument("--policy-pack", type=Path, help="pack dir (default: policies/)")
    parser.add_argument(
        "--policy-config",
        type=Path,
        help="policy config JSON (default: <pack>/config/<stack>.json, else the stack grade's "
        "defaults: production.json for production, the pack's own for standard)",
    )
    arguments.add_report_arguments(parser, arguments.REPORT_FORMATS)


def run(args: argparse.Namespace) -> ExitCode:
    """Preview the stack under the pack; the report's exit code."""
    from conduit.core.loader import SettingsError
    from conduit.preview import run as preview_run
    from conduit.preview.judgement import judged
    from conduit.preview.project import project_root

    try:
        # Run in a folder of the project, the CLI loads the project above it: so does this.
        project_dir = project_root(args.cwd.resolve())
    except SettingsError as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
    pack_dir = (args.policy_pack or preview_run.default_pack_dir(project_dir)).resolve()
    request = preview_run.PreviewRequest(project_dir, args.stack, pack_dir, args.policy_config)
    return judged(args, "preview", lambda: preview_run.preview(request))

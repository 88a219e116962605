"""`conduit audit`: its arguments, and the policy pack over a deployed stack's export."""

from __future__ import annotations

import argparse
from pathlib import Path

from conduit import arguments
from conduit.core.exitcodes import ExitCode

HELP = "the policy pack over a deployed stack: the JSON of `pulumi stack export`"


def epilog() -> str:
    """The example under `conduit audit --help`."""
    return (
        "example:\n  pulumi stack export --stack staging > staging.json\n"
        "  conduit audit --state staging.json --format sarif --output audit.sarif"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The export, the pack and its config, the report."""
    parser.add_argument(
        "--state", type=Path, required=True, help="a `pulumi stack export` file (version 3)"
    )
    parser.add_argument("--policy-pack", type=Path, help="pack dir (default: policies/)")
    parser.add_argument(
        "--policy-config",
        type=Path,
        help="policy config JSON (default: <pack>/config/<the export's stack>.json)",
    )
    arguments.add_report_arguments(parser, arguments.REPORT_FORMATS)


def run(args: argparse.Namespace) -> ExitCode:
    """Audit the export under the pack; the report's exit code."""
    from conduit.preview import run as preview_run
    from conduit.preview.judgement import judged

    pack_dir = (args.policy_pack or preview_run.default_pack_dir(Path.cwd())).resolve()
    request = preview_run.AuditRequest(args.state, pack_dir, args.policy_config)
    return judged(args, "audit", lambda: preview_run.audit(request))

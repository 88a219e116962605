"""`conduit policy-pack path`: where the installed pack is, for `pulumi preview --policy-pack`."""

from __future__ import annotations

import argparse
import sys

from conduit.core.exitcodes import ExitCode

HELP = "where the installed policy pack is, for pulumi preview --policy-pack"


def epilog() -> str:
    """The example under `conduit policy-pack --help`."""
    return 'example:\n  pulumi preview --policy-pack "$(conduit policy-pack path)"'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The one action: path."""
    parser.add_argument("action", choices=("path",), help="path: print the pack's directory")


def run(args: argparse.Namespace) -> ExitCode:
    """Print the pack's directory; INVALID_INPUT when no pack is installed."""
    from conduit.preview.pack_location import PackNotInstalledError, installed_pack_dir

    try:
        print(installed_pack_dir())
    except PackNotInstalledError as error:
        print(f"conduit policy-pack: {error}", file=sys.stderr)
        return ExitCode.INVALID_INPUT
    return ExitCode.OK

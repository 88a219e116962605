"""The `conduit` command: the root parser, dispatch to each sub-command's module, and the exits
(Ctrl-C, a refused argument, a missing optional dependency)."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import warnings
from collections.abc import Callable
from typing import Protocol

from conduit import interrupts
from conduit.arguments import ArgumentError
from conduit.core.exitcodes import ExitCode
from conduit.preview import audit_command, pack_command
from conduit.preview import command as preview_command
from conduit.probe import command as probe_command
from conduit.report.output import OutputError
from conduit.validate import command as validate_command


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


class Command(Protocol):
    """The shape every sub-command's module has (pip's command table, one module each)."""

    HELP: str

    def epilog(self) -> str: ...

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> ExitCode: ...


COMMANDS: dict[str, Command] = {
    "preview": preview_command,
    "audit": audit_command,
    "policy-pack": pack_command,
    "probe": probe_command,
    "validate": validate_command,
}
"""Each sub-command's module, in the order `conduit --help` lists them."""


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="conduit",
        description="Cloud Run -> VPC connector -> private Cloud SQL: preview, validate, probe.",
    )
    parser.add_argument("--version", action="version", version=f"conduit {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, command in COMMANDS.items():
        command.add_arguments(
            commands.add_parser(name, help=command.HELP, epilog_factory=command.epilog)
        )
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
    try:
        return COMMANDS[args.command].run(args)
    except (ArgumentError, OutputError) as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
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

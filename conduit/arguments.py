"""The command line's shared argument types, written once for every command: report formats,
durations, counts and files, each refused with `--flag: message` (exit 2)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from conduit.report.output import format_spec

REPORT_FORMATS = ("text", "markdown", "json", "sarif", "junit")
"""What the pack's commands (preview, audit) write."""
VALIDATE_FORMATS = ("text", "markdown", "json", "junit")
"""What `conduit validate` writes (SARIF locates findings in files; the validator's are live)."""


class ArgumentError(ValueError):
    """A command-line value the command refuses: one line for the user, exit 2."""


def add_report_arguments(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
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


def seconds_above_zero(flag: str, value: float) -> float:
    """A duration that must be positive (a deadline, a wait)."""
    if value <= 0:
        raise ArgumentError(f"{flag}: must be above 0 seconds, got {value:g}")
    return value


def seconds_from_zero(flag: str, value: float) -> float:
    """A duration that may be zero (a hold)."""
    if value < 0:
        raise ArgumentError(f"{flag}: must be 0 or more seconds, got {value:g}")
    return value


def count_within(flag: str, value: int, low: int, high: int) -> int:
    """A count within `low`-`high`, both included."""
    if not low <= value <= high:
        raise ArgumentError(f"{flag}: must be {low}-{high}, got {value}")
    return value


def existing_file(flag: str, path: str | None) -> str | None:
    """A file that must exist when given."""
    if path and not os.path.isfile(path):
        raise ArgumentError(f"{flag}: {path}: no such file")
    return path

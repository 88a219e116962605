"""Writing rendered reports: several formats from one run (`--format FMT[=PATH]`), each to its
file, one to --output or stdout."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class OutputError(Exception):
    """The report could not be written: one line naming the path and the reason."""


def write_report(path: Path, text: str) -> None:
    """Write `text` to `path`, creating its directory; OutputError on any failure of the OS."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise OutputError(f"--output {path}: cannot write the report: {reason}") from None


@dataclass(frozen=True)
class FormatSpec:
    """One `--format FMT[=PATH]`: a format, and the file it goes to (None: stdout or --output)."""

    name: str
    path: Path | None = None


def format_spec(choices: tuple[str, ...]) -> Callable[[str], FormatSpec]:
    """The argparse type of `--format FMT[=PATH]` for a command whose formats are `choices`."""

    def parse(value: str) -> FormatSpec:
        name, _, path = value.partition("=")
        if name not in choices:
            allowed = ", ".join(repr(c) for c in choices)
            raise argparse.ArgumentTypeError(f"invalid choice: {name!r} (choose from {allowed})")
        if "=" in value and not path:
            raise argparse.ArgumentTypeError(f"{value!r}: give a path after '=' ({name}=PATH)")
        return FormatSpec(name, Path(path) if path else None)

    return parse


def plan_outputs(
    formats: list[FormatSpec] | None, output: Path | None
) -> list[tuple[str, Path | None]]:
    """(format, path or None for stdout) for every report one run writes: `--format FMT=PATH`
    each to its file, one bare `--format FMT` (text when none is given) to --output or stdout.
    OutputError for two bare formats, or --output beside formats that all name their file."""
    given = formats or [FormatSpec("text")]
    bare = [f for f in given if f.path is None]
    if len(bare) > 1:
        names = ", ".join(f.name for f in bare)
        raise OutputError(
            f"--format: {names} would all go to {'--output' if output else 'stdout'}; give each "
            "but one a path (--format FMT=PATH)"
        )
    if output is not None and not bare:
        raise OutputError(
            "--output: every --format names its own file; drop --output, or give one --format "
            "without =PATH"
        )
    paths = [f.path for f in given if f.path is not None] + ([output] if output and bare else [])
    if len(set(paths)) != len(paths):
        raise OutputError("--format: two reports would be written to the same file")
    return [(f.name, f.path if f.path is not None else output) for f in given]


def emit(report: Any, formats: list[FormatSpec] | None, output: Path | None) -> None:
    """Render `report` once per planned format and write each where it goes; the summary on
    stdout when no report does. OutputError when a file cannot be written."""
    from conduit.report.render import RENDERERS

    planned = plan_outputs(formats, output)
    for name, path in planned:
        rendered = RENDERERS[name](report)
        if path is None:
            sys.stdout.write(rendered)
        else:
            write_report(path, rendered)
    if all(path is not None for _, path in planned):
        print(report.summary())

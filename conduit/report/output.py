"""Writing a rendered report to the file a user named with --output."""

from __future__ import annotations

from pathlib import Path


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

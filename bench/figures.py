"""The figures of each benchmark, written by the script that measures them into its own section of
bench/README.md, between `<!-- figures: NAME -->` and `<!-- /figures: NAME -->`: what it printed,
with the date, the commit and the machine it ran on. Nothing there is written by hand."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
HEADER = re.compile(
    r"^(Recorded \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC at `[0-9a-f]{7,40}(\+changes)?` by `[^`]+`"
    r" \(\d+ cores, load [0-9.]+\)"
    r"|Carried over from the README at `[0-9a-f]{7,40}` \(\d{4}-\d{2}-\d{2}\), by `[^`]+`"
    r": not regenerated since"
    r"|Transcribed from a run at `[0-9a-f]{7,40}` \(\d{4}-\d{2}-\d{2}\), by `[^`]+`"
    r": not written by its --record)\.$"
)
"""The first line of every section: a run's record, figures carried over from the README, or a
run's printed figures transcribed (a run before the script recorded)."""


class Lines:
    """Prints each line as a benchmark goes, and keeps it for its section."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)


def markers(name: str) -> tuple[str, str]:
    return f"<!-- figures: {name} -->", f"<!-- /figures: {name} -->"


def sections(text: str) -> dict[str, str]:
    """Every figures section of a README, by name: the text between its markers."""
    found = re.findall(r"<!-- figures: ([a-z-]+) -->\n(.*?)<!-- /figures: \1 -->", text, re.S)
    return {name: body for name, body in found}


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    status = git("status", "--porcelain").splitlines()
    changed = [line for line in status if not line.endswith("bench/README.md")]
    return git("rev-parse", "--short", "HEAD") + ("+changes" if changed else "")


def section(lines: list[str], script: str) -> str:
    """A section's body for lines printed now, on this machine, at this commit."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine = f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    header = f"Recorded {when} at `{_commit()}` by `{script}` ({machine})."
    return "\n".join([header, "", "```text", *lines, "```", ""])


def replace(text: str, name: str, body: str) -> str:
    """`text` with section `name`'s body replaced; the markers must be there."""
    start, end = markers(name)
    if start not in text or end not in text:
        raise SystemExit(f"{README.relative_to(ROOT)}: no section {start} ... {end} to write")
    before, rest = text.split(start, 1)
    return f"{before}{start}\n{body}{end}{rest.split(end, 1)[1]}"


def record(name: str, lines: list[str], script: str, readme: Path = README) -> None:
    """Write a run's figures into their section of bench/README.md."""
    readme.write_text(replace(readme.read_text(), name, section(lines, script)))
    print(f"figures written to {readme} ({name})")

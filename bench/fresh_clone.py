"""Time `make preview` on a fresh clone: this checkout's HEAD against a baseline revision (by
default the last one whose `make preview` installed the test tools too), one after the other in
the same run, each in its own clone with pip's cache off, so both download what they install.

Run: .venv/bin/python bench/fresh_clone.py [--baseline REV] [--rounds N]; the figures go to their
section of bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figures  # noqa: E402

BASELINE = "ff2a78a^"
"""The commit before `make preview` installed only what the preview needs."""


def timed_make_preview(revision: str) -> float:
    with tempfile.TemporaryDirectory(prefix="conduit-clone-") as tmp:
        clone = Path(tmp) / "conduit"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", revision], check=True)
        env = {**os.environ, "PIP_NO_CACHE_DIR": "1"}
        started = time.perf_counter()
        subprocess.run(["make", "preview"], cwd=clone, env=env, check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    base_times, head_times = [], []
    for _ in range(args.rounds):  # alternating, so drift hits both alike
        base_times.append(timed_make_preview(args.baseline))
        head_times.append(timed_make_preview(head))
    base, mine = statistics.median(base_times), statistics.median(head_times)
    say = figures.Lines()
    say(f"make preview on a fresh clone, {args.baseline}: {base:.1f} s")
    say(f"make preview on a fresh clone, {head}: {mine:.1f} s")
    say(f"ratio: {mine / base:.2f}x ({args.rounds} rounds, pip's cache off)")
    figures.record("fresh-clone", say.lines, "bench/fresh_clone.py")


if __name__ == "__main__":
    main()

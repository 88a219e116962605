#!/usr/bin/env python3
"""Print mutmut's kill score per package from its result files (mutants/**/*.meta).

A mutant is killed when a test failed (exit code 1) or it timed out; it survived on exit 0.
Exits 1 when a package is under its goal, or has a goal and no mutant that ran (left out of
only_mutate, say): `mutation-score.py policies/rules=95 policies/guard=95 ...`. With
`--record` (make mutation) the scores, and with `--seconds N` the run's time, are written into
the mutation section of bench/README.md.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figures  # noqa: E402

KILLED = {1, 3, -24, 24, 36, 152, 255}
"""Test failure, or mutmut's timeout/segfault codes: the mutant was noticed."""


def scores(root: Path) -> dict[str, Counter[str]]:
    by_package: dict[str, Counter[str]] = {}
    for meta in sorted(root.rglob("*.py.meta")):
        package = str(meta.parent.relative_to(root))
        counts = by_package.setdefault(package, Counter())
        for code in json.loads(meta.read_text())["exit_code_by_key"].values():
            if code is None:
                counts["not run"] += 1
            elif code in KILLED:
                counts["killed"] += 1
            else:
                counts["survived"] += 1
    return by_package


def report(by_package: dict[str, Counter[str]], goals: dict[str, str]) -> tuple[list[str], bool]:
    """One line per package with its score (and its goal when under it); whether one is under."""
    lines, failed = [], False
    measured: set[str] = set()
    for package, counts in by_package.items():
        total = counts["killed"] + counts["survived"]
        if not total:
            continue
        score = 100 * counts["killed"] / total
        goal = float(goals.get(package, 0))
        mark = "" if score >= goal else f"  (goal {goal:g} %)"
        failed |= score < goal
        lines.append(f"{package}: {score:.1f} % killed ({counts['killed']} of {total}){mark}")
        measured.add(package)
    for package in sorted(set(goals) - measured):
        lines.append(f"{package}: no mutant ran (goal {float(goals[package]):g} %)")
        failed = True
    return lines, failed


def main(argv: list[str]) -> int:
    record = "--record" in argv
    seconds = argv[argv.index("--seconds") + 1] if "--seconds" in argv else None
    goals = dict(a.split("=") for a in argv if "=" in a)
    lines, failed = report(scores(Path("mutants")), goals)
    print("\n".join(lines))
    if record:
        goal_line = ", ".join(f"{package} {goal} %" for package, goal in goals.items())
        took = f"; the run took {int(seconds) // 60} min {int(seconds) % 60} s" if seconds else ""
        figures.record(
            "mutation", [*lines, f"(goals: {goal_line}{took})"], "scripts/mutation-score.py"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

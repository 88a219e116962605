#!/usr/bin/env python3
"""Print mutmut's kill score per package from its result files (mutants/**/*.meta).

A mutant is killed when a test failed (exit code 1) or it timed out; it survived on exit 0.
Exits 1 when a package is under its goal, or has a goal and no mutant that ran (left out of
only_mutate, say): `mutation-score.py policies/rules=95 policies/guard=95 ...`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

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


def main(argv: list[str]) -> int:
    goals = dict(arg.split("=") for arg in argv)
    failed = False
    measured = set()
    for package, counts in scores(Path("mutants")).items():
        total = counts["killed"] + counts["survived"]
        if not total:
            continue
        measured.add(package)
        score = 100 * counts["killed"] / total
        goal = float(goals.get(package, 0))
        mark = "" if score >= goal else f"  (goal {goal:g} %)"
        failed |= score < goal
        print(f"{package}: {score:.1f} % killed ({counts['killed']} of {total}){mark}")
    for package in sorted(set(goals) - measured):
        print(f"{package}: no mutant ran (goal {float(goals[package]):g} %)")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

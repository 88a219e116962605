"""Benchmark the offline preview; figures are ratios against baselines measured in the same run.

1. Cold `conduit preview --stack staging` (the console script) against the floor (bench/floor.py:
   the imports the program needs, no interpreter teardown) and against Checkov scanning the same
   stack as Terraform (bench/terraform/staging, written by bench/staging_tf.py; Checkov from PyPI
   in a throwaway virtualenv, bench/.checkov, created on first use). Runs interleaved, medians.
   Goals: preview at most 1.2x the floor and at most 0.6x Checkov.
2. The pack over the analyzer protocol on synthetic stacks of 100, 1,000 and 10,000 resources,
   beside a pack with no rules (bench/empty_pack): resources/s for Analyze and AnalyzeStack.
   Goals: rules cost at most 25 % over the empty pack per resource; time linear in resources.

Run: make bench  (or .venv/bin/python bench/preview.py [--runs N] [--sizes 100,1000]); the figures
go to their section of bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from google.protobuf import json_format, struct_pb2  # noqa: E402
from pulumi.runtime.proto import analyzer_pb2  # noqa: E402

from bench import figures  # noqa: E402
from conduit.core import references  # noqa: E402
from conduit.preview import analyzer, policy_config  # noqa: E402
from conduit.preview.plan import plan_stack  # noqa: E402
from conduit.preview.runner import ResourceRecord  # noqa: E402

REPEATS = 3
say = figures.Lines()


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=False, capture_output=True)
    return time.perf_counter() - started


CHECKOV = "checkov==3.3.30"
CHECKOV_VENV = ROOT / "bench" / ".checkov"


def checkov() -> list[str]:
    """Checkov's command, installed from PyPI into its own virtualenv on first use."""
    binary = CHECKOV_VENV / "bin" / "checkov"
    if not binary.exists():
        print(f"installing {CHECKOV} into {CHECKOV_VENV.relative_to(ROOT)} (once)")
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        pip = [str(CHECKOV_VENV / "bin" / "pip"), "install", "--quiet"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, CHECKOV], check=True)
    terraform = ROOT / "bench" / "terraform" / "staging"
    return [str(binary), "-d", str(terraform), "--framework", "terraform", "--quiet", "--compact"]


def cold_runs(runs: int) -> None:
    preview = [str(ROOT / ".venv" / "bin" / "conduit"), "preview", "--stack", "staging"]
    floor = [sys.executable, str(ROOT / "bench" / "floor.py")]
    commands = {"preview": preview, "floor": floor, "checkov": checkov()}
    for command in commands.values():
        _timed(command)  # warm the disk cache once, as any second run would be
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so machine noise hits all alike
        for name, command in commands.items():
            times[name].append(_timed(command))
    p, f, c = (statistics.median(times[name]) for name in ("preview", "floor", "checkov"))
    say(f"cold preview (conduit preview --stack staging): median {p:.3f} s over {runs} runs")
    say(f"floor (imports the program needs, no teardown): median {f:.3f} s")
    say(f"checkov ({CHECKOV}, the same stack as Terraform): median {c:.3f} s")
    say(f"ratio preview/floor: {p / f:.2f}x (goal <= 1.2x)")
    say(f"ratio preview/checkov: {p / c:.2f}x (goal <= 0.6x)")


def _renamer(
    records: list[ResourceRecord], copy: int
) -> Callable[[struct_pb2.Struct], struct_pb2.Struct]:
    """Rewrites the names the stack's references point at (`conduit.core.references`) to the
    copy's own, so that a copy names its own targets, as a real stack's unique names do: with
    the names shared, every copy's literal reference matches every copy's target and
    references-wait-for-target reports n^2 findings (1.7 GB at 10,000 resources)."""
    wanted = {t for ref in references.REFERENCES for t in ref.targets}
    names = {
        key
        for r in records
        if r.type in wanted
        for props in (_plain(r.inputs), _plain(r.outputs))
        if isinstance(key := references.key_of(r.type, props), str)
    }
    if copy == 0 or not names:
        return lambda struct: struct
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
        + r")(?![\w-])"
    )

    def renamed(value: object) -> object:
        if isinstance(value, str):
            return pattern.sub(lambda m: f"{m.group(1)}-c{copy}", value)
        if isinstance(value, dict):
            return {k: renamed(v) for k, v in value.items()}
        if isinstance(value, list):
            return [renamed(v) for v in value]
        return value

    def rename(struct: struct_pb2.Struct) -> struct_pb2.Struct:
        return json_format.ParseDict(renamed(_plain(struct)), struct_pb2.Struct())

    return rename


def _plain(struct: struct_pb2.Struct) -> dict:
    return json_format.MessageToDict(struct)


def synthetic(records: list[ResourceRecord], size: int) -> list[ResourceRecord]:
    """`size` resources: copies of the staging plan with their own URNs, names and dependencies."""
    out: list[ResourceRecord] = []
    copy = 0
    while len(out) < size:
        rename = _renamer(records, copy)
        for record in records:
            if len(out) == size:
                break
            out.append(
                replace(
                    record,
                    urn=f"{record.urn}-{copy}",
                    name=f"{record.name}-{copy}",
                    parent=f"{record.parent}-{copy}" if record.parent else "",
                    dependencies=[f"{d}-{copy}" for d in record.dependencies],
                    property_dependencies={
                        k: [f"{d}-{copy}" for d in v]
                        for k, v in record.property_dependencies.items()
                    },
                    inputs=rename(record.inputs),
                    outputs=rename(record.outputs),
                )
            )
        copy += 1
    return out


def pack_throughput(
    pack_dir: Path, stacks: dict[int, list[ResourceRecord]], noop_policies: str = "1,1"
) -> dict[int, tuple[float, float]]:
    """Per size: (Analyze resources/s, AnalyzeStack resources/s)."""
    results = {}
    os.environ["CONDUIT_BENCH_NOOP_POLICIES"] = noop_policies
    with analyzer.running_pack(pack_dir) as pack:
        info = analyzer.get_info(pack)
        analyzer.configure(pack, policy_config.reconcile(info, {}, "defaults"))
        warm = next(iter(stacks.values()))[:50]  # first calls pay lazy imports in the pack
        for record in warm:
            analyzer.analyze(pack, record)
        analyzer.analyze_stack(pack, warm)
        for size, records in stacks.items():
            analyze = stack = 0.0
            for _ in range(REPEATS):  # best of: this machine's noise only ever slows a run down
                started = time.perf_counter()
                for record in records:
                    analyzer.analyze(pack, record)
                analyze = max(analyze, size / (time.perf_counter() - started))
                started = time.perf_counter()
                analyzer.analyze_stack(pack, records)
                stack = max(stack, size / (time.perf_counter() - started))
            results[size] = (analyze, stack)
    return results


def _row(label: str, size: int, base: tuple[float, float], other: tuple[float, float]) -> str:
    (ba, bs), (oa, os_) = base, other
    analyze = f"{oa:>8.0f} /s {ba / oa - 1:>+6.0%}"
    stack = f"{os_:>8.0f} /s {bs / os_ - 1:>+6.0%}"
    return f"{label:<26} {size:>6} | {analyze} | {stack}"


def protocol(sizes: list[int]) -> None:
    base = plan_stack(ROOT, "staging").custom_resources
    stacks = {size: synthetic(base, size) for size in sizes}
    resource_rules = sum(1 for p in rules_info() if p == "resource")
    stack_rules = sum(1 for p in rules_info() if p == "stack")
    empty_dir = ROOT / "bench" / "empty_pack"
    empty = pack_throughput(empty_dir, stacks)
    shaped = pack_throughput(empty_dir, stacks, f"{resource_rules},{stack_rules}")
    rules = pack_throughput(ROOT / "policies", stacks)
    say()
    say(
        f"{'pack':<26} {'size':>6} | {'Analyze':>11} {'cost':>6} | {'AnalyzeStack':>11} {'cost':>6}"
    )
    for size in sizes:
        say(_row("empty (1+1 no-op)", size, empty[size], empty[size]))
        say(
            _row(
                f"no-op x{resource_rules}+{stack_rules} (SDK floor)",
                size,
                empty[size],
                shaped[size],
            )
        )
        say(_row("conduit vs empty", size, empty[size], rules[size]))
        shape = f"x{resource_rules}+{stack_rules}"
        say(_row(f"conduit vs no-op {shape}", size, shaped[size], rules[size]))
    first, last = sizes[0], sizes[-1]
    for label, pack in (("empty", empty), ("conduit", rules)):
        growth = pack[first][1] / pack[last][1]
        say(
            f"{label}: AnalyzeStack time per resource grows {growth:.2f}x from {first} to "
            f"{last} resources (1.00x = linear)"
        )
    say("cost = extra time per resource over the row's baseline (goal: conduit vs empty <= +25%)")


def rules_info() -> list[str]:
    """The scope of each of the pack's policies, from the pack itself."""
    with analyzer.running_pack(ROOT / "policies") as pack:
        info = analyzer.get_info(pack)
    return [
        "stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource"
        for p in info.policies
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()
    cold_runs(args.runs)
    protocol([int(s) for s in args.sizes.split(",")])
    say(f"(--runs {args.runs} --sizes {args.sizes})")
    figures.record("preview", say.lines, "bench/preview.py")


if __name__ == "__main__":
    main()

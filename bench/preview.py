"""Benchmark the offline preview; figures are ratios against baselines measured in the same run.

1. Cold `conduit preview --stack staging` runs against the floor (bench/floor.py): medians, ratio.
   Goals: under 2.0 s, at most 1.5x the floor.
2. The pack over the analyzer protocol on synthetic stacks of 100, 1,000 and 10,000 resources,
   beside a pack with no rules (bench/empty_pack): resources/s for Analyze and AnalyzeStack.
   Goals: rules cost at most 25 % over the empty pack per resource; time linear in resources.

Run: make bench  (or .venv/bin/python bench/preview.py [--runs N] [--sizes 100,1000])
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pulumi.runtime.proto import analyzer_pb2  # noqa: E402

from conduit.preview import analyzer, policy_config  # noqa: E402
from conduit.preview.plan import plan_stack  # noqa: E402
from conduit.preview.runner import ResourceRecord  # noqa: E402

REPEATS = 3


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=False, capture_output=True)
    return time.perf_counter() - started


def cold_runs(runs: int) -> None:
    preview = [sys.executable, "-m", "conduit.cli", "preview", "--stack", "staging"]
    floor = [sys.executable, str(ROOT / "bench" / "floor.py")]
    _timed(preview), _timed(floor)  # warm the bytecode caches once, as any second run would be
    previews, floors = [], []
    for _ in range(runs):  # interleaved, so machine noise hits both alike
        previews.append(_timed(preview))
        floors.append(_timed(floor))
    p, f = statistics.median(previews), statistics.median(floors)
    print(f"cold preview (staging): median {p:.3f} s over {runs} runs (goal < 2.0 s)")
    print(f"floor (import SDK + used classes): median {f:.3f} s")
    print(f"ratio preview/floor: {p / f:.2f}x (goal <= 1.5x)")


def synthetic(records: list[ResourceRecord], size: int) -> list[ResourceRecord]:
    """`size` resources: copies of the staging plan with their own URNs and dependencies."""
    out: list[ResourceRecord] = []
    copy = 0
    while len(out) < size:
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
    print()
    print(
        f"{'pack':<26} {'size':>6} | {'Analyze':>11} {'cost':>6} | {'AnalyzeStack':>11} {'cost':>6}"
    )
    for size in sizes:
        print(_row("empty (1+1 no-op)", size, empty[size], empty[size]))
        print(
            _row(
                f"no-op x{resource_rules}+{stack_rules} (SDK floor)",
                size,
                empty[size],
                shaped[size],
            )
        )
        print(_row("conduit vs empty", size, empty[size], rules[size]))
        print(_row("conduit vs no-op x26", size, shaped[size], rules[size]))
    first, last = sizes[0], sizes[-1]
    for label, figures in (("empty", empty), ("conduit", rules)):
        growth = figures[first][1] / figures[last][1]
        print(
            f"{label}: AnalyzeStack time per resource grows {growth:.2f}x from {first} to "
            f"{last} resources (1.00x = linear)"
        )
    print("cost = extra time per resource over the row's baseline (goal: conduit vs empty <= +25%)")


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


if __name__ == "__main__":
    main()

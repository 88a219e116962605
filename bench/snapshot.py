"""Behaviour snapshot: every committed stack's plan (types, names, inputs, outputs) and its
preview findings in every report format, as one JSON document (timings zeroed, registration
order sorted away).

    .venv/bin/python bench/snapshot.py > /tmp/before.json   # then diff after a refactor
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from google.protobuf.json_format import MessageToDict

from conduit.preview.plan import plan_stack
from conduit.preview.run import PreviewRequest, default_pack_dir, preview
from conduit.report.render import RENDERERS

ROOT = Path(__file__).resolve().parents[1]


def stacks() -> list[tuple[Path, str]]:
    """Each committed stack file: (project dir, stack name)."""
    found = []
    for project in (ROOT, *sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())):
        for path in sorted(project.glob("Pulumi.*.yaml")):
            found.append((project, path.name.removeprefix("Pulumi.").removesuffix(".yaml")))
    return found


def snapshot_of(project: Path, stack: str) -> dict:
    plan = plan_stack(project, stack)
    resources = [
        {
            "type": r.type,
            "name": r.name,
            "urn": r.urn,
            "parent": r.parent,
            "custom": r.custom,
            "dependencies": sorted(r.dependencies),
            "inputs": MessageToDict(r.inputs),
        }
        for r in sorted(plan.recording.resources, key=lambda r: r.urn)
    ]
    report = preview(PreviewRequest(project, stack, default_pack_dir(project), None))
    # Registration order varies from run to run (the program's outputs resolve concurrently).
    report = dataclasses.replace(
        report,
        duration_seconds=0.0,
        resources=tuple(sorted(report.resources)),
        findings=tuple(sorted(report.findings, key=repr)),
    )
    return {
        "resources": resources,
        "stackOutputs": sorted(plan.recording.stack_outputs),
        "secretOutputs": sorted(plan.recording.secret_outputs),
        "sources": plan.recording.sources,
        "reports": {name: render(report) for name, render in sorted(RENDERERS.items())},
    }


def main() -> int:
    document = {
        f"{project.relative_to(ROOT)}:{stack}": snapshot_of(project, stack)
        for project, stack in stacks()
    }
    json.dump(document, sys.stdout, indent=1, sort_keys=True, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run the program under the SDK mock runtime and look resources up by type, for assertions."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import json_format

from conduit.preview.plan import Plan, plan_stack
from conduit.preview.runner import ResourceRecord
from tests.support.project import ROOT, single_service_config

_plans: dict[str, Plan] = {}


def plan(stack: str) -> Plan:
    """The staging or production plan, run once per process."""
    if stack not in _plans:
        _plans[stack] = plan_stack(ROOT, stack)
    return _plans[stack]


def single_plan() -> Plan:
    """The staging stack as a one-service stack file (`conduit:service`), run once per process."""
    if "single" not in _plans:
        project = Path(tempfile.mkdtemp(prefix="conduit-single-"))
        for name in ("__main__.py", "Pulumi.yaml"):
            shutil.copy(ROOT / name, project / name)
        document = {"config": single_service_config()}
        (project / "Pulumi.staging.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
        _plans["single"] = plan_stack(project, "staging")
    return _plans["single"]


def incident_plan() -> Plan:
    """The incident reproduction (examples/incident), run once per process."""
    if "incident" not in _plans:
        _plans["incident"] = plan_stack(ROOT / "examples" / "incident", "incident")
    return _plans["incident"]


def plan_at(project_dir: Path, stack: str) -> Plan:
    """Any project's stack, run once per process."""
    key = f"{project_dir}:{stack}"
    if key not in _plans:
        _plans[key] = plan_stack(project_dir, stack)
    return _plans[key]


def props(record: ResourceRecord) -> dict[str, Any]:
    """A record's inputs as plain JSON (secrets keep their envelope)."""
    return json_format.MessageToDict(record.inputs)


def of_type(p: Plan, type_: str) -> list[ResourceRecord]:
    return [r for r in p.recording.resources if r.type == type_]


def probe_job(p: Plan, name: str = "backend-probe") -> ResourceRecord:
    """The probe job itself, among the scheduled tiers' own jobs."""
    (record,) = [r for r in of_type(p, "gcp:cloudrunv2/job:Job") if props(r)["name"] == name]
    return record


def one(p: Plan, type_: str) -> tuple[str, dict[str, Any]]:
    (record,) = of_type(p, type_)
    return record.urn, props(record)

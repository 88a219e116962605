"""The real CLI's policy preview against the offline one: for every committed stack and the
incident example, `pulumi preview --policy-pack policies --policy-pack-config
policies/config/<stack>.json` (the real engine, language host and pack, the stand-in providers)
exits as `conduit preview` does and reports the same (policy, enforcement level, resource URN)
findings as `conduit preview --format json`. A difference is a bug in the offline preview."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.e2e.cli import ROOT, cli_findings, conduit_findings, copy_project, pulumi
from tests.support.cli import conduit

PACK = str(ROOT / "policies")
STACKS = ("staging", "staging-direct", "production")


def _copy_incident(tmp_path: Path) -> Path:
    """examples/incident in a copy of the project: its program runs the root's, two levels up."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "__main__.py", root / "__main__.py")
    (root / ".venv").symlink_to(ROOT / ".venv")
    incident = root / "examples" / "incident"
    incident.mkdir(parents=True)
    for name in ("__main__.py", "Pulumi.yaml", "Pulumi.incident.yaml"):
        shutil.copy(ROOT / "examples" / "incident" / name, incident / name)
    return incident


@pytest.mark.parametrize("stack", STACKS)
def test_a_committed_stack_previews_alike_in_the_cli_and_offline(tmp_path: Path, stack: str):
    project = copy_project(tmp_path / "project", stack)
    config = str(ROOT / "policies" / "config" / f"{stack}.json")
    real = pulumi(
        tmp_path / "home",
        *("preview", "--stack", stack, "--cwd", str(project), "--json"),
        *("--policy-pack", PACK, "--policy-pack-config", config),
        events=True,
    )
    ours = conduit(
        *("preview", "--stack", stack, "--cwd", str(project), "--format", "json"),
        *("--policy-pack", PACK, "--policy-config", config),
    )
    assert ours.returncode in (0, 1), ours.stderr
    report = json.loads(ours.stdout)
    assert (real.returncode, cli_findings(real.stdout)) == (
        ours.returncode,
        conduit_findings(report),
    ), real.stderr


def test_the_incident_previews_alike_in_the_cli_and_offline(tmp_path: Path) -> None:
    project = _copy_incident(tmp_path)
    real = pulumi(
        tmp_path / "home",
        *("preview", "--stack", "incident", "--cwd", str(project), "--json"),
        *("--policy-pack", PACK),
        events=True,
    )
    ours = conduit(
        *("preview", "--stack", "incident", "--cwd", str(project), "--format", "json"),
        *("--policy-pack", PACK),
    )
    report = json.loads(ours.stdout)
    assert ours.returncode == 1, ours.stderr
    assert (real.returncode, cli_findings(real.stdout)) == (1, conduit_findings(report))
    # The outage's own findings, as the engine reported them.
    assert sorted({(level, policy) for policy, level, _ in cli_findings(real.stdout)}) == [
        ("advisory", "alerts-cover-startup-path"),
        ("advisory", "cloudsql-latest-major-version"),
        ("advisory", "connector-machine-type-advisory"),
        ("advisory", "continuous-validation-scheduled"),
        ("mandatory", "cloudrun-ingress-restricted"),
        ("mandatory", "cloudrun-startup-probe-covers-db-init"),
        ("mandatory", "cloudsql-connection-budget"),
        ("mandatory", "cloudsql-dedicated-core"),
        ("mandatory", "connector-capacity-covers-services"),
        ("mandatory", "connector-warm-capacity"),
        ("mandatory", "service-required-env-provided"),
    ]

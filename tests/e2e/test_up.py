"""`pulumi up` and `pulumi destroy` with the real engine against the stand-in providers
(tools/standin), which refuse, as GCP does, a resource naming a stack resource not created yet:
the committed stacks come up whole with the pack, show no changes afterwards, and give outputs the
deploy workflow and the validator read; one reference made a literal string again fails the first
`up` on exactly that grant; `destroy` stops where deletion protection says, and goes through
after the steps of docs/deploy.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conduit.validate.targets import from_outputs
from tests.e2e.cli import ROOT, cli_findings, copy_project, pulumi
from tests.support.cli import conduit

PACK = str(ROOT / "policies")
LITERAL_GRANT = ROOT / "tests" / "fixtures" / "literal_job_grant" / "__main__.py"
NOT_YET_CREATED = (
    "error: googleapi: Error 404: gcp:cloudrunv2/job:Job 'backend-probe' was not found in project "
    "'acme-staging' (name names it; stand-in provider: it is declared but not created yet)"
)
KEYS = ("gcp:project", "gcp:region")
INSTANCE_URN = (
    "urn:pulumi:staging::conduit::conduit:database:Database"
    "$gcp:sql/databaseInstance:DatabaseInstance::staging-instance"
)
# The engine's own refusal: the instance is `protect`ed while deletionProtection is on, so the
# destroy stops at its preview, before GCP's deletion_protection is ever asked.
PROTECTED_INSTANCE = (
    f'error: Preview failed: resource "{INSTANCE_URN}" cannot be deleted\n'
    "    because it is protected. To unprotect the resource, either remove the `protect` flag "
    "from the resource in your Pulumi program and run `pulumi up`, or use the command:\n"
    f"    `pulumi state unprotect '{INSTANCE_URN}'`\n"
)


def _where(project: Path, stack: str) -> tuple[str, ...]:
    return ("--stack", stack, "--cwd", str(project))


def _with_pack(stack: str) -> tuple[str, ...]:
    return ("--policy-pack", PACK, "--policy-pack-config", f"{PACK}/config/{stack}.json")


def _planned(project: Path, stack: str) -> set[str]:
    """The URNs `conduit preview` plans for the stack."""
    report = conduit("preview", *_where(project, stack), "--policy-pack", PACK, "--format", "json")
    assert report.returncode in (0, 1), report.stderr
    return {r["urn"] for r in json.loads(report.stdout)["resources"]}


def _state(home: Path, project: Path, stack: str) -> dict:
    exported = pulumi(home, "stack", "export", *_where(project, stack))
    assert exported.returncode == 0, exported.stderr
    return json.loads(exported.stdout)


def _managed(state: dict) -> set[str]:
    """The URNs of the stack's custom resources in a `pulumi stack export`, less the default
    providers (`conduit preview` lists no component and no provider)."""
    return {
        r["urn"]
        for r in state["deployment"].get("resources") or []
        if r.get("custom") and not r["type"].startswith("pulumi:providers:")
    }


def _registered(state: dict) -> int:
    """How many resources the program registered (the stack and components included)."""
    resources = state["deployment"].get("resources") or []
    return sum(not r["type"].startswith("pulumi:providers:") for r in resources)


def _existing(home: Path) -> list[str]:
    """What exists in the stand-ins' Google Cloud projects: `TYPE ID` each (random's resources,
    which have no project, left out)."""
    files = sorted((home / "projects").glob("*.json"))
    projects = [json.loads(f.read_text()) for f in files if f.name != "no-project.json"]
    return sorted(f"{r['type']} {r['id']}" for p in projects for r in p["existing"].values())


@pytest.mark.parametrize("stack", ["staging", "staging-direct"])
def test_up_creates_every_resource_and_a_second_preview_shows_no_changes(
    tmp_path: Path, stack: str
) -> None:
    project = copy_project(tmp_path / "project", stack)
    home = tmp_path / "home"
    up = pulumi(home, "up", "--yes", *_where(project, stack), *_with_pack(stack))
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr
    assert "[mandatory]" not in up.stdout and "conduit@v0.1.0" in up.stdout, up.stdout
    planned = _planned(project, stack)
    state = _state(home, project, stack)
    assert _managed(state) == planned
    # Every planned resource exists in the stand-ins' project (the random password is random's).
    gcp = {u for u in planned if "$gcp:" in u.rsplit("::", 2)[-2]}
    assert len(_existing(home)) == len(gcp)

    again = pulumi(home, "preview", "--expect-no-changes", *_where(project, stack))
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr
    assert f"    {_registered(state)} unchanged\n" in again.stdout


def test_the_deploy_workflow_and_the_validator_read_the_real_outputs(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", "staging")
    home = tmp_path / "home"
    up = pulumi(home, "up", "--yes", *_where(project, "staging"), *_with_pack("staging"))
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr

    # Refresh reads every resource back from the stand-ins as they were created.
    refreshed = pulumi(home, "refresh", "--yes", "--expect-no-changes", *_where(project, "staging"))
    assert refreshed.returncode == 0, refreshed.stdout[-3000:] + refreshed.stderr

    # As conduit validate --stack reads them (conduit/validate/targets.py).
    shown = pulumi(home, "stack", "output", "--json", "--show-secrets", *_where(project, "staging"))
    assert shown.returncode == 0, shown.stderr
    outputs = json.loads(shown.stdout)
    targets = from_outputs(outputs, "staging", "pulumi stack output", None)
    assert (targets.project, targets.region, targets.egress_path) == (
        "acme-staging",
        "us-central1",
        "connector",
    )
    assert targets.connector_id == (
        "projects/acme-staging/locations/us-central1/connectors/staging-connector"
    )
    assert targets.probe_job == "projects/acme-staging/locations/us-central1/jobs/backend-probe"
    assert sorted(s.name for s in targets.services) == ["auth", "backend"]
    assert all(s.url.startswith("https://") for s in targets.services)
    assert targets.sql_connection_name.startswith("acme-staging:us-central1:staging-instance-")
    # No output holds a secret (#26: no databasePassword output): shown and hidden alike.
    hidden = pulumi(home, "stack", "output", "--json", *_where(project, "staging"))
    assert json.loads(hidden.stdout) == outputs

    # The workflow's read of the stack file (.github/workflows/deploy.yml), beside the state.
    read = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "stack-value.py"), "staging", *KEYS],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (read.returncode, read.stdout) == (0, f"{outputs['project']} {outputs['region']}\n")


def test_destroy_stops_at_deletion_protection_until_it_is_turned_off_and_up(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path / "project", "staging")
    home = tmp_path / "home"
    where = _where(project, "staging")
    assert pulumi(home, "up", "--yes", *where).returncode == 0

    refused = pulumi(home, "destroy", "--yes", *where)
    assert refused.returncode == 1
    assert (
        f"  gcp:sql:DatabaseInstance (staging-instance):\n    {PROTECTED_INSTANCE}"
    ) in refused.stdout
    left = [e for e in _existing(home) if e.startswith("gcp:sql/databaseInstance")]
    assert left == ["gcp:sql/databaseInstance:DatabaseInstance staging-instance-3a9df98"]

    # docs/deploy.md: Destroying a stack.
    off = pulumi(
        home, "config", "set", "--path", "conduit:database.deletionProtection", "false", *where
    )
    assert off.returncode == 0, off.stderr
    assert pulumi(home, "up", "--yes", *where).returncode == 0
    destroyed = pulumi(home, "destroy", "--yes", *where)
    assert destroyed.returncode == 0, destroyed.stdout[-3000:] + destroyed.stderr
    assert _existing(home) == []
    assert _managed(_state(home, project, "staging")) == set()


def test_a_literal_reference_fails_the_first_up_on_that_grant(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", "staging")
    (project / "__main__.py").write_text(LITERAL_GRANT.read_text())
    home = tmp_path / "home"
    grant = (
        "urn:pulumi:staging::conduit::conduit:operations:Operations"
        "$conduit:operations:ContinuousValidation$gcp:cloudrunv2/jobIamMember:JobIamMember::staging-scheduler-runs-probe"
    )

    # The pack refuses it at preview, before anything is created.
    guarded = pulumi(
        home, "preview", "--json", *_where(project, "staging"), *_with_pack("staging"), events=True
    )
    assert guarded.returncode == 1
    assert cli_findings(guarded.stdout) == [
        ("cloudsql-latest-major-version", "advisory", INSTANCE_URN),
        ("references-wait-for-target", "mandatory", grant),
    ]

    # Without the pack the engine creates the grant beside its job, and GCP's 404 stops it.
    raced = pulumi(home, "up", "--yes", *_where(project, "staging"))
    assert raced.returncode == 1
    failed = [
        line.split()[2] for line in raced.stdout.splitlines() if "**creating failed**" in line
    ]
    assert failed == ["staging-scheduler-runs-probe", "conduit-staging"]
    assert (
        f"  gcp:cloudrunv2:JobIamMember (staging-scheduler-runs-probe):\n    {NOT_YET_CREATED}\n"
    ) in raced.stdout

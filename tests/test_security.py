"""Issue #26: every exposure the pack once missed is caught by a named rule; the committed stacks
keep the security properties the review asked for."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "bypasses"
    project.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.staging.yaml"):
        shutil.copy(ROOT / name, project / name)
    shutil.copy(FIXTURES / "exposure_bypasses" / "__main__.py", project / "__main__.py")
    pulumi_yaml = project / "Pulumi.yaml"
    pulumi_yaml.write_text(
        pulumi_yaml.read_text().replace("virtualenv: .venv", f"virtualenv: {ROOT / '.venv'}")
    )
    return project


def test_each_bypass_is_caught_by_its_named_rule(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "conduit.cli",
            "preview",
            "--cwd",
            str(project),
            "--stack",
            "staging",
            "--policy-pack",
            str(ROOT / "policies"),
            "--policy-config",
            str(ROOT / "policies" / "config" / "staging.json"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    failed = {
        (f["rule"], f["subject"].rsplit("::", 1)[-1], f["message"])
        for f in findings
        if f["outcome"] == "fail"
    }
    expected = {
        ("cloudrun-no-public-invoker", "v1-public-invoker", "allUsers may invoke service exposed."),
        (
            "cloudrun-no-public-invoker",
            "v2-public-developer",
            "allUsers holds roles/run.developer on service exposed.",
        ),
        (
            "cloudrun-job-no-public-members",
            "job-public-invoker",
            "allUsers holds roles/run.invoker on job leaky.",
        ),
        (
            "cloudrun-invoker-iam-enabled",
            "exposed-service",
            "service exposed has invokerIamDisabled: anyone on its URL may invoke it.",
        ),
        (
            "cloudrun-ingress-restricted",
            "exposed-service",
            "service exposed takes requests from the internet (ingress INGRESS_TRAFFIC_ALL) and "
            "the policy config gives no reason.",
        ),
        (
            "cloudrun-job-secrets-by-reference",
            "leaky-job",
            "container 0: env DATABASE_PASSWORD looks like a credential but is a literal value.",
        ),
        (
            "cloudrun-job-secrets-by-reference",
            "leaky-job",
            "container 0: argument 2 holds a credential in clear text.",
        ),
        (
            "cloudrun-job-dedicated-service-account",
            "leaky-job",
            "job leaky has no serviceAccount: it runs as the default compute account.",
        ),
        (
            "iam-no-project-privileged-roles",
            "project-owner",
            "serviceAccount:exposed-run@acme-staging.iam.gserviceaccount.com holds roles/owner on "
            "the project (a basic role).",
        ),
        (
            "iam-no-project-privileged-roles",
            "project-editor",
            "serviceAccount:exposed-run@acme-staging.iam.gserviceaccount.com holds roles/editor on "
            "the project (a basic role).",
        ),
        (
            "iam-no-project-privileged-roles",
            "project-iam-serviceaccountuser",
            "serviceAccount:exposed-run@acme-staging.iam.gserviceaccount.com holds "
            "roles/iam.serviceAccountUser on the project: it may act as every service account of "
            "the project.",
        ),
        (
            "compute-firewall-no-public-admin-ports",
            "open-admin",
            "firewall open-admin opens SSH (port 22) to 0.0.0.0/0.",
        ),
        (
            "compute-firewall-no-public-admin-ports",
            "open-admin",
            "firewall open-admin opens PostgreSQL (port 5432) to 0.0.0.0/0.",
        ),
    }
    assert expected <= failed, sorted(expected - failed)
    # The password never reaches a report.
    assert "hunter2" not in result.stdout and "hunter2" not in result.stderr

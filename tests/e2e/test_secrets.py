"""A secret set as the README says (`pulumi config set --secret --path
'conduit:secretValues.JWT_SECRET_KEY' ...`) with the real CLI never shows in clear: not in what the
CLI prints, not in the stack file it writes, not in `pulumi config` nor `pulumi stack export`; and
`conduit preview` reads the stack file as the CLI wrote it (its `encryptionsalt`, the `secure:`
value under the key path) without printing the value either."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.cli_support import conduit
from tests.e2e.cli import copy_project, pulumi

VALUE = "e2e-jwt-4f1c9a7b2d"
KEY = "conduit:secretValues.JWT_SECRET_KEY"


def test_a_secret_set_with_a_key_path_never_shows_in_clear(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", "staging")
    home = tmp_path / "home"
    where = ("--stack", "staging", "--cwd", str(project))
    before = conduit("preview", "--cwd", str(project), "--stack", "staging")

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

    exported = pulumi(home, "stack", "export", *where)
    assert exported.returncode == 0, exported.stderr
    assert VALUE not in exported.stdout + exported.stderr
    # No update has run (the language host is not served), so the state holds the passphrase
    # provider's salt and no resource yet.
    assert '"type": "passphrase"' in exported.stdout

    ours = conduit("preview", "--cwd", str(project), "--stack", "staging")
    assert ours.returncode == before.returncode, ours.stderr
    assert VALUE not in ours.stdout + ours.stderr

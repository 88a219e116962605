"""The audit of user-facing mistakes: every flag of every command, the stack and policy-config
files, a missing file, a directory given as a file, bytes that are not text. Each case must end
with a clear message on stderr that names what was wrong (the flag or the file), an exit code that
says "your input" (2) and no traceback. A case that prints a traceback is a bug."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.project import POLICIES_DIR, ROOT

BINARY = b"\xff\xfe\x00garbage\x81"


@dataclass(frozen=True)
class Case:
    """`conduit <args>` in a copy of the project where `files` are written (bytes, or None for a
    directory) and whose stderr must contain `says`."""

    args: tuple[str, ...]
    says: str
    code: int = 2
    files: dict[str, bytes | None] = field(default_factory=dict)
    pulumi_outputs: bytes | None = None
    """What a stand-in `pulumi stack output --json` on PATH prints (None: no Pulumi CLI)."""


def case(
    args: str, says: str, code: int = 2, pulumi_outputs: bytes | None = None, **files: bytes | None
) -> Case:
    return Case(
        tuple(args.split()),
        says,
        code,
        {k.replace("__", "."): v for k, v in files.items()},
        pulumi_outputs,
    )


OUTPUTS_SHAPES = {
    # The outputs file is input: each wrong shape one line naming its key.
    "secretIds a list": (
        b'{"secretIds": ["JWT_SECRET_KEY"]}',
        "secretIds: expected an object of env var name -> secret id, got a list",
    ),
    "secretIds values not strings": (
        b'{"secretIds": {"JWT_SECRET_KEY": 7}}',
        "secretIds.JWT_SECRET_KEY: expected a string, got int",
    ),
    "services a list": (
        b'{"services": ["backend"]}',
        "services: expected an object of service name -> {url, healthEndpoints}, got a list",
    ),
    "a service's unknown key": (
        b'{"services": {"backend": {"uri": "http://x"}}}',
        "services.backend.uri: unknown output; allowed: healthEndpoints, url",
    ),
    "an unknown output": (b'{"connectorID": "x"}', "connectorID: unknown output; allowed: "),
    "egressPath unknown": (
        b'{"egressPath": "nat"}',
        "egressPath: expected 'connector' or 'direct', got 'nat'",
    ),
    "successCriteria a string": (
        b'{"successCriteria": "fast"}',
        "successCriteria: expected an object of the stack's conduit:successCriteria, got a string",
    ),
    "successCriteria out of range": (
        b'{"successCriteria": {"startupSuccessRate": 2}}',
        "successCriteria.startupSuccessRate: Input should be less than or equal to 1 (got 2)",
    ),
    "healthEndpoints a string": (
        b'{"serviceName": "backend", "healthEndpoints": "/health"}',
        "healthEndpoints: expected a list, got a string",
    ),
}


CASES = {
    # conduit itself
    "no command": case("", "the following arguments are required: command"),
    "unknown command": case("deploy", "invalid choice: 'deploy'"),
    # preview: every flag
    "preview --stack unknown": case("preview --stack qa", "Pulumi.qa.yaml: no such stack file"),
    "preview --cwd missing": case("preview --cwd nowhere", "nowhere"),
    "preview --cwd a file": case("preview --cwd afile", "afile", afile=b"x"),
    "preview --policy-pack missing": case("preview --policy-pack nopack", "nopack"),
    "preview --policy-pack a file": case("preview --policy-pack afile", "afile", afile=b"x"),
    "preview --policy-config missing": case("preview --policy-config none.json", "none.json"),
    "preview --policy-config a directory": case("preview --policy-config adir", "adir", adir=None),
    "preview --policy-config not JSON": case(
        "preview --policy-config bad.json", "bad.json", bad__json=b"{not json"
    ),
    "preview --policy-config not text": case(
        "preview --policy-config bin.json", "bin.json", bin__json=BINARY
    ),
    "preview --policy-config unknown policy": case(
        "preview --policy-config p.json", "no-such-policy", p__json=b'{"no-such-policy": {}}'
    ),
    "preview --policy-config bad level": case(
        "preview --policy-config p.json",
        "enforcementLevel",
        p__json=b'{"cloudsql-no-public-ip": {"enforcementLevel": "sometimes"}}',
    ),
    "preview --format": case("preview --format html", "invalid choice: 'html'"),
    "preview --output a directory": case("preview --output adir", "--output adir", adir=None),
    "preview two formats to stdout": case(
        "preview --format markdown --format sarif", "--format: markdown, sarif would all go to"
    ),
    "preview --format without a path": case("preview --format sarif=", "give a path after '='"),
    "preview --output beside formats with paths": case(
        "preview --format sarif=r.sarif --output r.md", "--output: every --format names its own"
    ),
    "preview two formats to one file": case(
        "preview --format sarif=r --format json=r", "two reports would be written to the same"
    ),
    "validate two formats to stdout": case(
        "validate --format json --format junit", "--format: json, junit would all go to stdout"
    ),
    # preview: the project's and the stack's files
    "Pulumi.yaml not YAML": case("preview", "Pulumi.yaml", Pulumi__yaml=b"name: [unclosed"),
    "Pulumi.yaml not text": case("preview", "Pulumi.yaml", Pulumi__yaml=BINARY),
    "Pulumi.yaml a directory": case("preview", "Pulumi.yaml", Pulumi__yaml=None),
    "stack file not YAML": case(
        "preview", "Pulumi.staging.yaml", Pulumi__staging__yaml=b"config: [unclosed"
    ),
    "stack file not text": case("preview", "Pulumi.staging.yaml", Pulumi__staging__yaml=BINARY),
    "stack file a directory": case("preview", "Pulumi.staging.yaml", Pulumi__staging__yaml=None),
    "stack file not a mapping": case(
        "preview", "Pulumi.staging.yaml", Pulumi__staging__yaml=b"- a list\n"
    ),
    "stack key unknown": case(
        "preview",
        "conduit:databse: unknown key",
        Pulumi__staging__yaml=(ROOT / "Pulumi.staging.yaml").read_bytes()
        + b"  conduit:databse: {}\n",
    ),
    # validate: every flag
    "validate --outputs missing": case("validate --outputs none.json", "none.json"),
    "validate --outputs a directory": case("validate --outputs adir", "adir", adir=None),
    "validate --outputs not JSON": case("validate --outputs o.json", "o.json", o__json=b"[1,"),
    "validate --outputs not text": case("validate --outputs o.json", "o.json", o__json=BINARY),
    "validate --outputs not an object": case(
        "validate --outputs o.json", "expected a JSON object", o__json=b"[]"
    ),
    "validate --stack without the CLI": case("validate --stack staging", "--stack"),
    "validate --service-url": case("validate --service-url ftp://x", "--service-url"),
    "validate --dsn": case("validate --dsn mysql://x/y", "--dsn"),
    "validate --redis-url": case("validate --redis-url http://x", "redis"),
    "validate --redis-ca missing": case(
        "validate --redis-url rediss://127.0.0.1:1 --redis-ca none.pem", "none.pem"
    ),
    "validate --only unknown": case("validate --only no-such-check", "no-such-check"),
    "validate --skip unknown": case("validate --skip no-such-check", "no-such-check"),
    "validate --deadline": case("validate --deadline -1", "--deadline"),
    "validate --health-wait": case("validate --health-wait 0", "--health-wait"),
    "validate --storm-tasks": case("validate --storm-tasks 0", "--storm-tasks"),
    "validate --storm-runner": case("validate --storm-runner k8s", "invalid choice: 'k8s'"),
    "validate --format": case("validate --format sarif", "invalid choice: 'sarif'"),
    "validate nothing to check": case("validate", "nothing to validate"),
    **{
        f"validate --outputs {name}": case(
            "validate --outputs o.json", f"o.json: {says}", o__json=text
        )
        for name, (text, says) in OUTPUTS_SHAPES.items()
    },
    # The same shapes read through the CLI (`pulumi stack output`), named by their source.
    **{
        f"validate --stack outputs {name}": case(
            "validate --stack staging",
            f"stack staging: {says}",
            pulumi_outputs=text,
        )
        for name, (text, says) in OUTPUTS_SHAPES.items()
    },
    # probe: every flag
    "probe no target": case("probe", "--dsn: required"),
    "probe --dsn": case("probe --dsn mysql://x/y", "postgres"),
    "probe --dsn and --redis-url": case(
        "probe --dsn postgresql://a@b/c --redis-url redis://x", "not allowed with argument"
    ),
    "probe --redis-url": case("probe --redis-url http://x", "redis"),
    "probe --redis-ca missing": case(
        "probe --redis-url rediss://127.0.0.1:1 --redis-ca none.pem", "none.pem"
    ),
    "probe --connections": case("probe --dsn postgresql://a@b/c --connections 0", "--connections"),
    "probe --deadline": case("probe --dsn postgresql://a@b/c --deadline 0", "--deadline"),
    "probe --hold": case("probe --dsn postgresql://a@b/c --hold -1", "--hold"),
    "probe --connections not a number": case("probe --connections many", "invalid int value"),
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("__main__.py", "Pulumi.yaml", "Pulumi.staging.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "policies").symlink_to(POLICIES_DIR)
    return tmp_path


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_user_mistake_is_named_on_stderr_with_exit_2_and_no_traceback(
    project: Path, name: str, monkeypatch
) -> None:
    given = CASES[name]
    for relative, content in given.files.items():
        path = project / relative
        if path.is_file():
            path.unlink()
        if content is None:
            path.mkdir()
        else:
            path.write_bytes(content)
    # No Pulumi CLI on PATH (as on this machine), no stack outputs to fall back on; or a
    # stand-in that prints the case's outputs.
    path = str(Path(sys.executable).parent) + ":/usr/bin:/bin"
    if given.pulumi_outputs is not None:
        bin_dir = project / "bin"
        bin_dir.mkdir()
        (bin_dir / "outputs.json").write_bytes(given.pulumi_outputs)
        stand_in = bin_dir / "pulumi"
        stand_in.write_text(f'#!/bin/sh\nexec cat "{bin_dir / "outputs.json"}"\n')
        stand_in.chmod(0o755)
        path = f"{bin_dir}:{path}"
    env = {"PATH": path, "HOME": str(project)}
    result = subprocess.run(
        [sys.executable, "-m", "conduit.cli", *given.args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == given.code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert given.says in result.stderr, result.stderr


def test_an_outputs_file_with_secret_ids_as_a_list_is_one_line_naming_the_key(
    project: Path,
) -> None:
    """The issue's case (a hand-written file, or one from an older stack): exit 2, one line."""
    (project / "o.json").write_text('{"project": "acme-staging", "secretIds": ["JWT_SECRET_KEY"]}')
    result = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "validate", "--outputs", "o.json"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "o.json: secretIds: expected an object of env var name -> secret id, got a list\n",
    )

"""The real Pulumi CLI as the e2e tests run it: `scripts/pulumi-offline` in a throwaway home."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.support.project import ROOT

OFFLINE = ROOT / "scripts" / "pulumi-offline"
PASSPHRASE = "e2e-passphrase"


def pulumi(
    home: Path, *args: str, cwd: Path = ROOT, events: bool = False
) -> subprocess.CompletedProcess[str]:
    """`scripts/pulumi-offline ARGS` with its backend, plugin cache and the stand-ins' projects
    under `home`; with `events`, a preview's `--json` streams the engine's events, one a line."""
    env = {
        **os.environ,
        "PULUMI_OFFLINE_HOME": str(home),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "NO_COLOR": "1",
    }
    if events:
        env["PULUMI_ENABLE_STREAMING_JSON_PREVIEW"] = "true"
    return subprocess.run(
        [str(OFFLINE), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def copy_project(directory: Path, *stacks: str, source: Path = ROOT) -> Path:
    """The program, Pulumi.yaml and the named stack files of `source` in `directory` (its own
    project), with the project's virtualenv linked in where Pulumi.yaml names it (.venv)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("__main__.py", "Pulumi.yaml", *(f"Pulumi.{s}.yaml" for s in stacks)):
        shutil.copy(source / name, directory / name)
    (directory / ".venv").symlink_to(ROOT / ".venv")
    return directory


Finding = tuple[str, str, str | None]
"""(policy, enforcement level, resource URN or None for the stack): what both previews report."""


def events(stdout: str) -> list[dict[str, Any]]:
    """The engine events a streaming `--json` preview printed, one JSON object a line."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def cli_findings(stdout: str) -> list[Finding]:
    """The policy violations the real CLI's engine reported, sorted."""
    return sorted(
        (e["policyName"], e["enforcementLevel"], e.get("resourceUrn"))
        for e in (event.get("policyEvent") for event in events(stdout))
        if e is not None
    )


def conduit_findings(report: dict[str, Any]) -> list[Finding]:
    """The findings of `conduit preview --format json`, in the same terms, sorted."""
    return sorted((f["rule"], f["enforcement"], f["subject"]) for f in report["findings"])

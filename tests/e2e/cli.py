"""The real Pulumi CLI as the e2e tests run it: `scripts/pulumi-offline` in a throwaway home."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT

OFFLINE = ROOT / "scripts" / "pulumi-offline"
PASSPHRASE = "e2e-passphrase"


def pulumi(home: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`scripts/pulumi-offline ARGS` with its backend and plugin cache under `home`."""
    env = {
        **os.environ,
        "PULUMI_OFFLINE_HOME": str(home),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [str(OFFLINE), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def copy_project(directory: Path, *stacks: str) -> Path:
    """The program, Pulumi.yaml and the named stack files in `directory` (its own project)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("__main__.py", "Pulumi.yaml", *(f"Pulumi.{s}.yaml" for s in stacks)):
        shutil.copy(ROOT / name, directory / name)
    return directory

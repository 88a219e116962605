"""The console command as a user or CI runs it, for tests that assert on its exit and output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.project import ROOT


def conduit(*args: str, cwd: Path = ROOT, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`conduit ARGS...` in `cwd`, with its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "conduit.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )

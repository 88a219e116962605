"""The probe image's installed size: Conduit's base install (what the Dockerfile installs, the
probe's dependencies only) against the full install (`conduit[all]`, what the image installed
before the split). Both into fresh target directories with pip's defaults, in one run.

Run: .venv/bin/python bench/probe_install.py   (needs the package index); the figures go to their
section of bench/README.md.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figures  # noqa: E402


def installed_mib(spec: str) -> float:
    with tempfile.TemporaryDirectory(prefix="conduit-size-") as target:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-cache-dir", "--target",
             target, spec],
            check=True,
            cwd=ROOT,
        )  # fmt: skip
        size = sum(f.stat().st_size for f in Path(target).rglob("*") if f.is_file())
    return size / 2**20


def main() -> None:
    full = installed_mib(".[all]")
    slim = installed_mib(".")
    say = figures.Lines()
    say(f"full install (conduit[all], the image before): {full:.0f} MiB")
    say(f"probe install (conduit, the image now): {slim:.1f} MiB")
    say(f"ratio: {slim / full:.3f} (goal under 1/3)")
    figures.record("probe-install", say.lines, "bench/probe_install.py")


if __name__ == "__main__":
    main()

"""The probe's slim install (pyproject's base dependencies, what the Dockerfile installs): `conduit
probe` runs with none of the full install's modules importable; the other commands say what to
install instead of a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

from conduit.cli import FULL_INSTALL_ONLY
from tests.support.project import ROOT

# Run the console script with every module of the full install made unimportable.
SLIM = (
    "import sys\n"
    "for name in {blocked!r}:\n"
    "    sys.modules[name] = None\n"
    "sys.argv = ['conduit', *sys.argv[1:]]\n"
    "from conduit.cli import console\n"
    "console()\n"
)


def slim(*args: str) -> subprocess.CompletedProcess[str]:
    script = SLIM.format(blocked=sorted(FULL_INSTALL_ONLY))
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_base_install_is_the_probe_s_dependencies_only() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [d.split(">")[0].split("=")[0].split("<")[0] for d in project["dependencies"]]
    assert names == ["asyncpg", "redis"]
    assert "pulumi-gcp>=9,<11" in project["optional-dependencies"]["all"]


def test_the_probe_runs_without_the_full_install(postgres) -> None:
    result = slim("probe", "--dsn", postgres.dsn(), "--connections", "2")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["ok"], report["kind"], report["succeeded"]) == (True, "postgresql", 2)


def test_the_other_commands_say_what_to_install() -> None:
    for command in ("preview", "validate"):
        result = slim(command)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(
            f"conduit {command}: needs yaml, which the probe's slim install leaves out; install "
            "conduit[all]"
        ), result.stderr
        assert "Traceback" not in result.stderr


def test_the_image_installs_the_base_only_and_keeps_its_entrypoint() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    # Its dependencies from the probe's lock (tests/test_lock.py), then the project alone.
    assert "-r requirements/probe.txt" in dockerfile
    assert "--no-build-isolation . " in dockerfile and "[all]" not in dockerfile
    assert 'ENTRYPOINT ["conduit"]' in dockerfile and 'CMD ["probe"]' in dockerfile

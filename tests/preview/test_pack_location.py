"""`conduit policy-pack path`: the installed pack, started from that path outside the repository."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from conduit.preview import analyzer
from conduit.preview.pack_location import installed_pack_dir
from policies.rules import POLICIES
from tests.support.cli import conduit
from tests.support.project import ROOT


def test_the_command_prints_the_installed_pack_directory(tmp_path) -> None:
    result = conduit("policy-pack", "path", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    printed = Path(result.stdout.strip())
    assert printed == installed_pack_dir() == (ROOT / "policies").resolve()
    assert (printed / "PulumiPolicy.yaml").is_file() and (printed / "__main__.py").is_file()


def test_the_pack_starts_from_that_path_with_the_cwd_outside_the_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    printed = Path(conduit("policy-pack", "path", cwd=tmp_path).stdout.strip())
    with analyzer.running_pack(printed) as pack:
        info = analyzer.get_info(pack)
    assert sorted(p.name for p in info.policies) == sorted(p.name for p in POLICIES)


def test_the_manifest_names_no_virtualenv_that_holds_only_in_a_checkout() -> None:
    manifest = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"]["name"] == "python"
    assert "virtualenv" not in manifest["runtime"]["options"]


def test_the_package_ships_the_pack_its_configs_and_the_typed_markers() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "policies*" in project["packages"]["find"]["include"]
    data = project["package-data"]
    assert {"PulumiPolicy.yaml", "config/*.json", "py.typed"} <= set(data["policies"])
    assert "py.typed" in data["conduit"]
    # Every file of the pack that is not Python is one of those globs.
    shipped = {"PulumiPolicy.yaml", "py.typed"} | {
        f"config/{p.name}" for p in (ROOT / "policies" / "config").glob("*.json")
    }
    pack = ROOT / "policies"
    files = {
        str(p.relative_to(pack))
        for p in pack.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc")
    }
    assert files == shipped
    assert (ROOT / "conduit" / "py.typed").is_file()

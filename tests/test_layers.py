"""The house's layers (../shared/DESIGN.md), read from every module's imports: core uses nothing
else of the project and no Pulumi; components never import the pack or the validator; the pack
imports neither pulumi_gcp nor the components; the validator imports no Pulumi at all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PULUMI = ("pulumi", "pulumi_gcp", "pulumi_random", "pulumi_policy")

# Package -> import prefixes it must never use.
FORBIDDEN = {
    "conduit/core": (*PULUMI, "conduit.components", "conduit.preview", "conduit.validate",
                     "conduit.probe", "conduit.report", "conduit.program", "policies"),
    "conduit/components": ("policies", "conduit.validate", "conduit.preview", "conduit.probe"),
    "policies": ("pulumi_gcp", "conduit.components", "conduit.validate", "conduit.preview",
                 "conduit.program", "conduit.probe"),
    "conduit/validate": (*PULUMI, "conduit.components", "conduit.preview", "policies",
                         "conduit.program"),
    "conduit/probe": (*PULUMI, "conduit.components", "conduit.validate", "conduit.preview",
                      "policies", "google"),
    "conduit/report": (*PULUMI, "conduit.components", "conduit.validate", "conduit.preview",
                       "policies"),
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_module_imports_across_its_layer(package: str) -> None:
    broken = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in _imports(path)
        if any(name == bad or name.startswith(f"{bad}.") for bad in FORBIDDEN[package])
        and not name.startswith(package.replace("/", "."))
    )
    assert broken == []


def test_the_check_sees_a_crossing() -> None:
    """The rule itself: the program imports Pulumi, which core may not."""
    imports = _imports(ROOT / "conduit" / "program.py")
    assert "pulumi" in imports and "conduit.components.service" in imports

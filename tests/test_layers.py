"""The house's layers (../shared/DESIGN.md), read from every module's imports: core uses nothing
else of the project and no Pulumi; components never import the pack or the validator; the pack
imports neither pulumi_gcp nor the components; the validator imports no Pulumi at all. And no
module of the repository (conduit/, policies/, tests/, scripts/, bench/, examples/) comes back to
itself through its imports (a cycle, even one only for types or inside a function)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.project import ROOT

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


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_statements(path: Path, package: str) -> list[tuple[str, list[str]]]:
    """Each import of a file as (module, names imported from it), relative imports resolved
    against `package`; a plain `import a.b` is ("a.b", [])."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.append((base, [alias.name for alias in node.names]))
    return found


def _graph(packages: tuple[str, ...]) -> dict[str, set[str]]:
    """Module -> the project's modules it imports (at the top, in functions or for types only:
    a cycle of any of them is a tangle to untie, even where Python happens to tolerate it)."""
    paths = {
        _module_of(p): p
        for package in packages
        for p in (ROOT / package).rglob("*.py")
        # Not the project's: virtualenvs and caches (bench/.checkov is Checkov's own).
        if not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
    }
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str] = set()
        for base, imported in _import_statements(path, package):
            if not imported:  # `import a.b`
                targets.add(base)
            for name in imported:
                targets.add(f"{base}.{name}" if f"{base}.{name}" in paths else base)
        graph[module] = {t for t in targets if t in paths and t != module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            members = []
            while True:
                member = stack.pop()
                members.append(member)
                if member == node:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_cycle_anywhere() -> None:
    assert _cycles(_graph(("conduit", "policies", "tests", "scripts", "bench", "examples"))) == []


def test_the_cycle_check_sees_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


def _test_side_imports(path: Path, root: Path) -> set[str]:
    """The modules under tests/ a file imports, relative imports resolved."""
    parts = path.relative_to(root).with_suffix("").parts
    package = ".".join(parts[:-1] if parts[-1] != "__init__" else parts)
    names: set[str] = set()
    for base, imported in _import_statements(path, package):
        names |= {base} | {f"{base}.{name}" for name in imported}
    return {name for name in names if name.startswith("tests.")}


def _test_side_crossings(root: Path) -> list[str]:
    """A test module imports no other test module and no conftest.py (a module imported twice,
    under pytest's name and under its own, runs its fixtures twice); tests/support/ imports
    neither. The fixture programs under tests/fixtures/ are not the tests' modules."""
    broken = []
    for path in sorted((root / "tests").rglob("*.py")):
        relative = path.relative_to(root)
        if "fixtures" in relative.parts:
            continue
        is_test = path.name.startswith("test_")
        if not (is_test or relative.parts[1] == "support"):
            continue
        for name in sorted(_test_side_imports(path, root)):
            last = name.rpartition(".")[2]
            if last.startswith("test_") or last == "conftest":
                broken.append(f"{relative.as_posix()} imports {name}")
    return broken


def test_no_test_module_imports_another_test_module() -> None:
    assert _test_side_crossings(ROOT) == []


def test_the_test_side_check_sees_a_crossing(tmp_path: Path) -> None:
    files = {
        "tests/core/test_a.py": "from tests.probe.test_b import settle\n",
        "tests/probe/test_b.py": "from tests.support.postgres import free_port\n",
        "tests/support/postgres.py": "from ..conftest import ROOT\n",
        "tests/conftest.py": "from tests.support.postgres import free_port\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert _test_side_crossings(tmp_path) == [
        "tests/core/test_a.py imports tests.probe.test_b",
        "tests/support/postgres.py imports tests.conftest",
    ]

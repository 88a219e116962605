"""Lines of settings keys in a stack file: where a finding's settings key is written.

Which key a finding is about comes from the program's provenance (conduit.components.provenance),
never from the pack, which knows nothing of Conduit's settings.
"""

from __future__ import annotations

from pathlib import Path

import yaml

PROGRAM = "__main__.py"


def report_path(path: Path, project_dir: Path) -> str:
    """How reports name a project file: relative to the repository's root (the nearest folder
    with `.git`), where code scanning and reviewers look for it; else to the project."""
    path, project_dir = path.resolve(), project_dir.resolve()
    root = next((d for d in (project_dir, *project_dir.parents) if (d / ".git").exists()), None)
    base = root or project_dir
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


class StackFileIndex:
    """Line numbers of the keys of one stack file."""

    def __init__(self, path: Path, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.relative = report_path(path, project_dir)
        self.program = report_path(project_dir / PROGRAM, project_dir)
        entry = _entry(yaml.compose(path.read_text(encoding="utf-8")), "config")
        self._config = entry[1] if entry else None

    def line_of(self, key: str) -> tuple[int, str] | None:
        """(1-based line, key found) of the deepest existing prefix of `key`, or None."""
        node, found, line = self._config, [], 0
        for part in key.split("."):
            entry = _entry(node, part)
            if entry is None:
                break
            key_node, node = entry
            found.append(part)
            line = key_node.start_mark.line + 1
        return (line, ".".join(found)) if found else None


def _entry(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key node, value node) of `key` in a mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(((k, v) for k, v in node.value if k.value == key), None)

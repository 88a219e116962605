"""The line of a program that sets a property: from the constructor call down its arguments.

The SDK gives the line that constructed a resource (its `sourcePosition`). A finding names the
property it judged (`settings.ipConfiguration.ipv4Enabled`); the constructor's keyword arguments
(`settings=...DatabaseInstanceSettingsArgs(ip_configuration=...(ipv4_enabled=True))`), dicts
and lists are followed as far as the program writes them, and the deepest line found is the
finding's. A property the program leaves out is located at the constructor.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def line_of(path: Path, line: int, property_path: str) -> int:
    """The line of `path` that writes `property_path` of the resource constructed at `line`."""
    call = _call_at(path, line)
    if call is None or not property_path:
        return line
    found = line
    nodes: list[ast.AST] = [call]
    for part in property_path.split("."):
        nodes = [child for node in nodes for child in _children(node, part)]
        if not nodes:
            break
        found = nodes[0].lineno  # type: ignore[attr-defined]
    return found


@cache
def _tree(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None


def _call_at(path: Path, line: int) -> ast.Call | None:
    tree = _tree(path)
    if tree is None:
        return None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.lineno == line]
    # The outermost call on the line is the constructor; inner ones are its arguments.
    return min(calls, key=lambda c: (c.col_offset, -(c.end_lineno or 0)), default=None)


def _children(node: ast.AST, part: str) -> list[ast.AST]:
    """What `node` (a call, dict or list of them) writes under the property `part`."""
    names = {part, _CAMEL.sub("_", part).lower()}
    if isinstance(node, ast.Call):
        return [k.value for k in node.keywords if k.arg in names]
    if isinstance(node, ast.Dict):
        return [
            value
            for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and key.value in names
        ]
    if isinstance(node, (ast.List, ast.Tuple)):
        named: list[ast.AST] = [element for element in node.elts if _names(element, part)]
        if named:
            # A list of name/value entries (env vars): the entry with that name.
            return named
        return [child for element in node.elts for child in _children(element, part)]
    return []


def _names(node: ast.AST, name: str) -> bool:
    """Whether `node` is an entry whose `name` is `name` (an env var by its name)."""
    if isinstance(node, ast.Call):
        values = [k.value for k in node.keywords if k.arg == "name"]
    elif isinstance(node, ast.Dict):
        values = [
            v
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and k.value == "name"
        ]
    else:
        return False
    return any(isinstance(v, ast.Constant) and v.value == name for v in values)

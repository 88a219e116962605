"""No traceback for any stack file: Hypothesis mutates the committed stack files along the
settings schema (wrong types, values at and past each range, other enum members, unknown and
misspelt keys, deleted keys, deep nesting, unicode, empty) and every file ends valid or as
SettingsError lines that each name the file (the CLI's exit 2), never echoing a secret value.

Deterministic: `derandomize=True` and a fixed budget of EXAMPLES cases (docs/development.md: Tests).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conduit.core.loader import SettingsError, load_stack_file
from conduit.core.stack_schema import SCHEMA_PATH
from tests.support.project import ROOT

EXAMPLES = 200
MARK = "S3CRET-VALUE-xyzzy"
"""Put under secret-bearing keys: it must never reach an error message."""
BASES = [
    yaml.safe_load((ROOT / name).read_text())
    for name in ("Pulumi.staging.yaml", "Pulumi.staging-direct.yaml", "Pulumi.production.yaml")
]
SCHEMA = json.loads(SCHEMA_PATH.read_text())
WORK = Path(tempfile.mkdtemp(prefix="conduit-fuzz-"))
tried: list[int] = []


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _branches(node: dict[str, Any]) -> list[dict[str, Any]]:
    node = _resolve(node)
    if "anyOf" in node:
        return [b for option in node["anyOf"] for b in _branches(option)]
    return [node]


def _paths(value: Any, node: dict[str, Any], path: tuple[Any, ...]) -> list[tuple[Any, dict]]:
    """Every (path, schema branches) of a document, walking the schema beside it."""
    found = [(path, _branches(node))]
    for branch in _branches(node):
        if isinstance(value, dict):
            for key, child in value.items():
                sub = branch.get("properties", {}).get(key) or branch.get("additionalProperties")
                if isinstance(sub, dict):
                    found += _paths(child, sub, (*path, key))
        elif isinstance(value, list) and isinstance(branch.get("items"), dict):
            for index, child in enumerate(value):
                found += _paths(child, branch["items"], (*path, index))
    return found


def _schema_values(branches: list[dict[str, Any]]) -> list[Any]:
    """Values the schema suggests: each enum member, each bound and one past, the default."""
    values: list[Any] = []
    for branch in branches:
        values += branch.get("enum", [])
        for bound, step in (("minimum", -1), ("maximum", 1)):
            if bound in branch:
                values += [branch[bound], branch[bound] + step]
        for bound, step in (("exclusiveMinimum", 0), ("exclusiveMaximum", 0)):
            if bound in branch:
                values.append(branch[bound] + step)
        for bound, step in (("minLength", -1), ("maxLength", 1)):
            if bound in branch:
                values.append("a" * max(0, branch[bound] + step))
        if "default" in branch:
            values.append(branch["default"])
    return values


junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"k": value}
    return value


def _set(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    node = document
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return document


@st.composite
def stack_files(draw: st.DrawFn) -> Any:
    document = json.loads(json.dumps(draw(st.sampled_from(BASES))))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(document, SCHEMA, ())
        path, branches = draw(st.sampled_from(paths))
        kind = draw(
            st.sampled_from(
                [
                    "schema",
                    "junk",
                    "delete",
                    "unknown",
                    "misspell",
                    "deep",
                    "unicode",
                    "empty",
                    "secret",
                ]
            )
        )
        parent = _get(document, path[:-1]) if path else None
        if kind == "schema" and _schema_values(branches):
            document = _set(document, path, draw(st.sampled_from(_schema_values(branches))))
        elif kind == "delete" and isinstance(parent, (dict, list)) and path:
            del parent[path[-1]]
        elif kind == "unknown" and isinstance(_get(document, path), dict):
            _get(document, path)[draw(st.text(min_size=1, max_size=12))] = draw(junk)
        elif kind == "misspell" and isinstance(parent, dict) and isinstance(path[-1], str):
            key = path[-1]
            cut = draw(st.integers(min_value=0, max_value=max(0, len(key) - 1)))
            parent[key[:cut] + key[cut + 1 :]] = parent.pop(key)
        elif kind == "deep":
            document = _set(document, path, _deep(draw(st.integers(min_value=1, max_value=60))))
        elif kind == "unicode":
            document = _set(document, path, draw(st.text(min_size=1, max_size=20)))
        elif kind == "empty":
            document = _set(document, path, draw(st.sampled_from([None, "", {}, []])))
        elif (
            kind == "secret"
            and isinstance(document, dict)
            and isinstance(document.get("config"), dict)
        ):
            config = document["config"]
            config["conduit:secretValues"] = draw(st.sampled_from([MARK, {"X": MARK}, [MARK], 3]))
            services = config.get("conduit:services")
            if isinstance(services, dict):
                for service in services.values():
                    if isinstance(service, dict):
                        service["env"] = {"API_TOKEN": draw(st.sampled_from([[MARK], {"v": MARK}]))}
        else:
            document = _set(document, path, draw(junk))
    return document


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(stack_files())
def test_every_stack_file_ends_valid_or_as_lines_naming_the_file(document: Any) -> None:
    tried.append(1)
    path = WORK / "Pulumi.fuzz.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    try:
        load_stack_file(path)
    except SettingsError as error:
        assert error.problems
        for line in error.problems:
            assert line.startswith("Pulumi.fuzz.yaml"), line
            assert "\n" not in line
            assert MARK not in line, line


def test_the_fuzz_ran_its_whole_budget() -> None:
    # Run after the property in this module (pytest keeps file order within a worker).
    if tried:
        assert len(tried) >= EXAMPLES

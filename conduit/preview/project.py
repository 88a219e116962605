"""What the Pulumi CLI checks before a program runs: the project file, then a stack's config.

The rules are the CLI's own (pulumi/pulumi `sdk/go/common/workspace/project.go`, `project.json`,
`pkg/workspace/config.go`; summarised in ../shared/reference/pulumi-cli-rules.md), applied here so
that a green offline preview means the CLI will load the project and merge the stack's config.
Where the CLI stops at the first problem, this lists them all.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from conduit.core import files
from conduit.core.loader import SettingsError, yaml_problem

PROJECT_FILE = "Pulumi.yaml"
CONDUIT_NAMESPACE = "conduit:"
_ABSENT = object()


@dataclass(frozen=True)
class Declaration:
    """One `config` entry of Pulumi.yaml, after the CLI's shorthand rewriting."""

    key: str
    """As written in Pulumi.yaml (`conduit:x`, or `x` for the project's own namespace)."""
    full_key: str
    """`namespace:name`, as stack files and the program see it."""
    type: str | None
    items: Any
    default: Any
    value: Any

    @property
    def has_default(self) -> bool:
        return self.default is not _ABSENT

    @property
    def has_value(self) -> bool:
        return self.value is not _ABSENT


@dataclass(frozen=True)
class Project:
    """A loaded Pulumi.yaml: its name and config declarations."""

    name: str
    declarations: tuple[Declaration, ...]

    @property
    def is_conduit(self) -> bool:
        """Whether this is a Conduit program: the project is named `conduit` (so `conduit:` keys
        are its own) or its Pulumi.yaml declares `conduit:` keys. Only then are Conduit's settings
        demanded; a program that merely imports Conduit's components is any other program."""
        return self.name == CONDUIT_NAMESPACE.rstrip(":") or any(
            d.full_key.startswith(CONDUIT_NAMESPACE) for d in self.declarations
        )


@cache
def _schema_validator() -> jsonschema.protocols.Validator:
    text = resources.files("conduit.preview").joinpath("pulumi-project.schema.json").read_text()
    schema = json.loads(text)
    return jsonschema.validators.validator_for(schema)(schema)


def project_root(start: Path) -> Path:
    """The directory whose Pulumi.yaml the CLI loads when run in `start`: `start` or the nearest
    parent with one (the CLI searches upwards); SettingsError when there is none."""
    if not start.is_dir():
        # The CLI changes into it first, and stops there.
        raise SettingsError([f"--cwd {start}: no such directory"])
    for directory in (start, *start.parents):
        if (directory / PROJECT_FILE).is_file():
            return directory
    raise SettingsError([_not_found(start)])


def _not_found(directory: Path) -> str:
    return (
        f"{PROJECT_FILE}: not found in {directory}: not a Pulumi project "
        "(run from the project directory or give --cwd DIR)"
    )


def load_project(project_dir: Path) -> Project:
    """Load `project_dir/Pulumi.yaml` as the CLI does; SettingsError lists every problem."""
    path = project_dir / PROJECT_FILE
    if not path.is_file():
        raise SettingsError([_not_found(project_dir)])
    try:
        document = yaml.safe_load(files.read_text(path, PROJECT_FILE))
    except files.UnreadableFileError as error:
        raise SettingsError([str(error)]) from None
    except yaml.YAMLError as error:
        raise SettingsError([f"{PROJECT_FILE}: not valid YAML: {yaml_problem(error)}"]) from None
    if not isinstance(document, dict):
        raise SettingsError([f"{PROJECT_FILE}: expected a mapping with name and runtime"])
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise SettingsError([f"{PROJECT_FILE}: name: project is missing a non-empty string 'name'"])
    problems = [
        f"{PROJECT_FILE}: {_path(error.absolute_path)}: {error.message}"
        for error in sorted(_schema_validator().iter_errors(document), key=lambda e: e.path)
    ]
    if problems:
        raise SettingsError(problems)
    config = _rewrite_shorthand(name, document.get("config"))
    declarations = tuple(_declaration(name, key, spec) for key, spec in (config or {}).items())
    problems = [p for d in declarations for p in _declaration_problems(name, d)]
    if problems:
        raise SettingsError(problems)
    return Project(name, declarations)


def _path(parts: Any) -> str:
    return ".".join(str(p) for p in parts) or "(top level)"


def _rewrite_shorthand(project: str, config: Any) -> Any:
    """`key: value` means a default for the project's keys, a fixed value for others."""
    if not isinstance(config, dict):
        return config
    rewritten = {}
    for key, spec in config.items():
        if isinstance(spec, (str, int, bool, list)):
            spec = {"default": spec} if _namespaced_by(project, key) else {"value": spec}
        rewritten[key] = spec
    return rewritten


def _namespaced_by(project: str, key: str) -> bool:
    return ":" not in key or key.startswith(f"{project}:")


def _declaration(project: str, key: str, spec: dict[str, Any]) -> Declaration:
    # The CLI reads a YAML null as "not given".
    default = spec.get("default", _ABSENT)
    value = spec.get("value", _ABSENT)
    return Declaration(
        key=key,
        full_key=key if ":" in key else f"{project}:{key}",
        type=spec.get("type"),
        items=spec.get("items"),
        default=_ABSENT if default is None else default,
        value=_ABSENT if value is None else value,
    )


def _declaration_problems(project: str, d: Declaration) -> list[str]:
    """`Project.Validate`: what a declaration may say, by whose namespace it is in."""
    where = f"{PROJECT_FILE}: config.{d.key}"
    if d.has_default and d.has_value:
        return [f"{where}: cannot have both a 'default' and a 'value' attribute"]
    if _namespaced_by(project, d.key):
        if d.type == "array" and d.items is None:
            return [f"{where}: declares an array but does not give its items' type ('items')"]
        if d.type is not None and d.has_default and not type_matches(d.type, d.items, d.default):
            return [f"{where}: the default is not of the declared type '{_type_name(d)}'"]
        return []
    problems = []
    if d.type is not None:
        problems.append(
            f"{where}: not namespaced by the project '{project}', so it must not define a type "
            "(document provider settings in the README or the stack files)"
        )
    if d.has_default:
        problems.append(
            f"{where}: not namespaced by the project '{project}', so it must not define a "
            "default (the CLI accepts only 'value' here)"
        )
    if not d.has_value:
        problems.append(
            f"{where}: not namespaced by the project '{project}', so it must give a 'value'"
        )
    return problems


def type_matches(type_name: str | None, items: Any, value: Any) -> bool:
    """`ValidateConfigValue`: whether a config value is of a declared type, as the CLI judges it.

    Stack values of plain keys reach the CLI as strings: integers may be whole-number strings,
    booleans "true"/"false".
    """
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return math.isfinite(value) and value == math.trunc(value)
        if isinstance(value, str):
            try:
                int(value, 10)
            except ValueError:
                return False
            return True
        return False
    if type_name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_name == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or not isinstance(items, dict):
        return False
    return all(type_matches(items.get("type"), items.get("items"), item) for item in value)


def _type_name(d: Declaration) -> str:
    name, items = d.type or "", d.items
    while isinstance(items, dict):
        name = f"{name}<{items.get('type')}"
        items = items.get("items")
    return name + ">" * name.count("<")


def merge_stack_config(
    project: Project, stack: str, config: dict[str, Any], source: str
) -> dict[str, Any]:
    """`ValidateStackConfigAndApplyProjectConfig`: the stack's config as the program receives it.

    Required keys must be set, typed keys must hold their type, and declared defaults and values
    fill what the stack leaves out. SettingsError names `source` and the key in every line.
    """
    # A key without a namespace is the project's own (the CLI's stackConfigNamespacedWithProject).
    config = {key if ":" in str(key) else f"{project.name}:{key}": v for key, v in config.items()}
    problems = [
        f"{source}: {key}: not a configuration key: keys are written <namespace>:<name>"
        for key in config
        if key.count(":") != 1
    ]
    merged = dict(config)
    for d in sorted(project.declarations, key=lambda d: d.key):
        if d.full_key not in config:
            if d.has_value or d.has_default:
                merged[d.full_key] = d.default if d.has_default else d.value
            elif d.full_key.split(":", 1)[0] == project.name:
                problems.append(
                    f"{source}: {d.full_key}: required (declared in {PROJECT_FILE} with no "
                    f"default): Stack '{stack}' is missing configuration value '{d.key}'"
                )
            continue
        stack_value = config[d.full_key]
        if d.type is None or _encrypted(stack_value):
            # An encrypted value is checked by the CLI after decryption; offline there is no key.
            continue
        if not type_matches(d.type, d.items, _as_cli_sees(stack_value)):
            problems.append(
                f"{source}: {d.full_key}: must be of type '{_type_name(d)}' (as {PROJECT_FILE} "
                f"declares it), got {_kind(stack_value)}"
            )
    if problems:
        raise SettingsError(problems)
    return merged


def _encrypted(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _as_cli_sees(value: Any) -> Any:
    """A stack value as the CLI type-checks it: plain values are text, structures are JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if value is None:
        return ""
    return value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)

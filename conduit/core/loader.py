"""Load a stack's settings from its stack file or the Pulumi runtime's config, by one path."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from conduit.core import files
from conduit.core.settings import CrossFieldError, StackSettings

SETTINGS_NAMESPACES = ("conduit:", "gcp:project", "gcp:region")
SECRET_VALUES_KEY = "conduit:secretValues"
"""Secret config (`pulumi config set --secret --path conduit:secretValues.NAME`): never settings."""


class SettingsError(Exception):
    """Invalid settings: one `file: key.path: message` line per problem, all of them at once."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def stack_file(project_dir: Path, stack: str) -> Path:
    """Where Pulumi keeps a stack's settings."""
    return project_dir / f"Pulumi.{stack}.yaml"


def available_stacks(project_dir: Path) -> list[str]:
    """The stacks with a stack file in `project_dir`."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def load_stack_file(path: Path) -> StackSettings:
    """Read and validate a `Pulumi.<stack>.yaml`."""
    return parse_settings(read_stack_config(path), path.name)


def read_stack_config(path: Path) -> dict[str, Any]:
    """The `config` mapping of a stack file, unvalidated; SettingsError when it cannot be read."""
    if not path.is_file():
        stacks = ", ".join(available_stacks(path.parent)) or "none"
        raise SettingsError([f"{path.name}: no such stack file (stacks here: {stacks})"])
    try:
        document = yaml.safe_load(files.read_text(path, path.name)) or {}
    except files.UnreadableFileError as error:
        raise SettingsError([str(error)]) from None
    except yaml.YAMLError as error:
        raise SettingsError([f"{path.name}: not valid YAML: {error}".replace("\n", " ")]) from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise SettingsError([f"{path.name}: config: a mapping of settings is required"])
    return config


def parse_settings(config: Mapping[str, Any], source: str) -> StackSettings:
    """Validate the settings keys of a stack's config; `source` names the file in every message."""
    raw = {
        key: value
        for key, value in config.items()
        if key.startswith(SETTINGS_NAMESPACES) and key != SECRET_VALUES_KEY
    }
    try:
        return StackSettings.model_validate(raw)
    except ValidationError as error:
        raise SettingsError([_describe(source, problem) for problem in error.errors()]) from None


def _describe(source: str, problem: Mapping[str, Any]) -> str:
    loc = [str(part) for part in problem["loc"]]
    cause = problem.get("ctx", {}).get("error")
    if isinstance(cause, CrossFieldError):
        loc = [cause.key] if cause.key.startswith("conduit:") else [*loc, cause.key]
    message = problem["msg"].removeprefix("Value error, ")
    if loc and loc[-1] == "[key]":
        loc.pop()
        message = f"invalid name: {message}"
    key = ".".join(loc) if loc else "config"
    if problem["type"] == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        message = "unknown key" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    elif problem["type"] == "missing":
        message = "required"
    elif "input" in problem and not isinstance(problem["input"], (dict, list, tuple)):
        message += f" (got {problem['input']!r})"
    return f"{source}: {key}: {message}"


def _allowed_keys(loc: list[str]) -> list[str]:
    """The keys a settings model accepts at `loc`, by walking the models along the path."""
    model: type[BaseModel] | None = StackSettings
    keyed = False  # the last step was a mapping of names to models: the next part is a name
    for part in loc:
        if model is None:
            return []
        if keyed:
            keyed = False
            continue
        field = next(
            (f for name, f in model.model_fields.items() if (f.alias or name) == part), None
        )
        if field is None:
            return []
        model, keyed = _model_of(field.annotation), _is_mapping(field.annotation)
    if model is None or keyed:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _is_mapping(annotation: Any) -> bool:
    if typing.get_origin(annotation) is dict:
        return True
    return any(_is_mapping(arg) for arg in typing.get_args(annotation))


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None

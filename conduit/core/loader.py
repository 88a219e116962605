"""Load a stack's settings from its stack file or the Pulumi runtime's config, by one path."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from conduit.core import files, suggest
from conduit.core.settings import CrossFieldError, StackFile, StackSettings, settings_of

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
    config = read_stack_config(path)
    return parse_settings(
        config, path.name, lines=KeyLines.of_file(path), secret_names=secret_value_names(config)
    )


def secret_value_names(config: Mapping[str, Any]) -> frozenset[str]:
    """The env names `conduit:secretValues` sets a value for (the values are never read)."""
    values = config.get(SECRET_VALUES_KEY)
    return frozenset(values) if isinstance(values, dict) else frozenset()


def yaml_problem(error: yaml.YAMLError) -> str:
    """What the parser found wrong and where, never the text there: PyYAML's own message quotes
    the offending line, which in a stack file may be a secret in clear."""
    if not isinstance(error, yaml.MarkedYAMLError):
        return type(error).__name__
    mark = error.problem_mark or error.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    said = "; ".join(part for part in (error.context, error.problem) if part)
    return f"{where}{said or type(error).__name__} (the line is not shown)"


class KeyLines:
    """The 1-based line of each key of a stack file's `config`, for messages."""

    def __init__(self, text: str) -> None:
        try:
            root = yaml.compose(text)
        except yaml.YAMLError:
            root = None
        entry = _entry(root, "config")
        self._config = entry[1] if entry else None
        self._config_line = entry[0].start_mark.line + 1 if entry else None

    @classmethod
    def of_file(cls, path: Path) -> KeyLines | None:
        """The lines of `path`, or None when it cannot be read."""
        try:
            return cls(files.read_text(path))
        except files.UnreadableFileError:
            return None

    def line_of(self, loc: list[str]) -> int | None:
        """The line of the deepest key of `loc` that the file has (`config:` for a missing
        top-level key), or None."""
        node, line = self._config, self._config_line
        for part in loc:
            if isinstance(node, yaml.SequenceNode) and part.isdigit():
                index = int(part)
                if index >= len(node.value):
                    break
                node = node.value[index]
                line = node.start_mark.line + 1
                continue
            entry = _entry(node, part)
            if entry is None:
                break
            key_node, node = entry
            line = key_node.start_mark.line + 1
        return line


def _entry(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(((k, v) for k, v in node.value if getattr(k, "value", None) == key), None)


def read_stack_config(path: Path, require_config: bool = True) -> dict[str, Any]:
    """The `config` mapping of a stack file, unvalidated; SettingsError when it cannot be read.
    Without `require_config` a stack file with no `config` is an empty one, as the CLI reads it."""
    if not path.is_file():
        stacks = ", ".join(available_stacks(path.parent)) or "none"
        raise SettingsError([f"{path.name}: no such stack file (stacks here: {stacks})"])
    try:
        document = yaml.safe_load(files.read_text(path, path.name)) or {}
    except files.UnreadableFileError as error:
        raise SettingsError([str(error)]) from None
    except yaml.YAMLError as error:
        raise SettingsError([f"{path.name}: not valid YAML: {yaml_problem(error)}"]) from None
    config = document.get("config") if isinstance(document, dict) else None
    if config is None and not require_config and isinstance(document, dict):
        return {}
    if not isinstance(config, dict):
        raise SettingsError([f"{path.name}: config: a mapping of settings is required"])
    _secret_values_encrypted(config, path.name)
    return config


def _secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"} and isinstance(value["secure"], str)


def _secret_values_encrypted(config: dict[str, Any], source: str) -> None:
    """conduit:secretValues in a stack file: every value `secure:` (encrypted by the CLI), as a
    whole or one by one; a clear one is refused, naming the key, never the value."""
    values = config.get(SECRET_VALUES_KEY)
    if values is None or _secure(values):
        return
    if not isinstance(values, dict):
        raise SettingsError([f"{source}: {SECRET_VALUES_KEY}: must map env var names to values"])
    clear = sorted(str(name) for name, value in values.items() if not _secure(value))
    if clear:
        raise SettingsError(
            [
                f"{source}: {SECRET_VALUES_KEY}.{name}: in clear text; set it with `pulumi "
                f"config set --secret --path '{SECRET_VALUES_KEY}.{name}'` (value not shown)"
                for name in clear
            ]
        )


def parse_settings(
    config: Mapping[str, Any],
    source: str,
    lines: KeyLines | None = None,
    secret_names: frozenset[str] | None = None,
) -> StackSettings:
    """Validate the settings keys of a stack's config; `source` names the file in every message,
    `lines` adds the line of each key; `secret_names` (the env names conduit:secretValues sets)
    lets the settings refuse a secret that would be generated but must be issued."""
    raw = {
        key: value
        for key, value in config.items()
        if isinstance(key, str) and key.startswith(SETTINGS_NAMESPACES) and key != SECRET_VALUES_KEY
    }
    try:
        return settings_of(StackFile.model_validate(raw), secret_names)
    except ValidationError as error:
        raise SettingsError(
            [_describe(source, problem, lines) for problem in error.errors()]
        ) from None
    except CrossFieldError as error:
        raise SettingsError([_describe_rule(source, error, lines)]) from None
    except (RecursionError, ValueError, TypeError) as error:
        # Nothing a stack file holds may end in a traceback.
        raise SettingsError([f"{source}: config: cannot be read as settings ({error})"]) from None


def _describe(source: str, problem: Mapping[str, Any], lines: KeyLines | None = None) -> str:
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
        message = "unknown key"
        if allowed:
            message += suggest.did_you_mean(loc[-1], allowed) + f" (allowed: {', '.join(allowed)})"
    elif problem["type"] == "missing":
        message = "required"
    elif "input" in problem and not isinstance(problem["input"], (dict, list, tuple)):
        if not _secret_bearing(loc):
            message += f" (got {_shown(problem['input'])})"
    line = lines.line_of(loc) if lines is not None else None
    where = f"{source}:{line}" if line else source
    return f"{where}: {key}: {message}"


def _describe_rule(source: str, error: CrossFieldError, lines: KeyLines | None) -> str:
    """A broken cross-key rule, located at the stack-file key it names."""
    line = lines.line_of([error.key]) if lines is not None else None
    where = f"{source}:{line}" if line else source
    return f"{where}: {error.key}: {error}"


def _secret_bearing(loc: list[str]) -> bool:
    """Keys whose values may be secrets (a value set by hand, an env value, a key named like a
    credential): never echoed. `conduit:secrets` maps names to secret ids, which are not."""
    if loc and loc[0] in ("conduit:secrets", "conduit:externalSecrets"):
        return False
    if any(part in (SECRET_VALUES_KEY, "env") for part in loc):
        return True
    last = loc[-1].lower() if loc else ""
    return any(word in last for word in ("password", "token", "auth", "credential"))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _allowed_keys(loc: list[str]) -> list[str]:
    """The keys a settings model accepts at `loc`, by walking the models along the path."""
    model: type[BaseModel] | None = StackFile
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

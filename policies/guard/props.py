"""Read resource properties without crashing on preview-time unknowns or malformed values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError


class Unknown:
    """A value Pulumi cannot know until the update runs (preview-time outputs)."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()


class MalformedError(Exception):
    """A property whose shape is not what the provider schema says: reported, never raised out."""


class NotApplicableError(Exception):
    """The rule cannot judge this resource (a value unknown at preview, no such block, ...)."""


_KINDS: dict[type, str] = {
    str: "a string",
    bool: "a boolean",
    int: "a whole number",
    float: "a number",
    Mapping: "an object",
    Sequence: "a list",
}


def at(props: Any, path: str, kind: type, default: Any = None) -> Any:
    """The value at a dotted `path` ("template.containers.0.envs"), checked against `kind`.

    Returns `default` when any step is absent, UNKNOWN when any step is unknown at preview, and
    raises MalformedError when the value (or a step on the way) has the wrong shape.
    """
    node = props
    walked: list[str] = []
    for step in path.split("."):
        try:
            if isinstance(node, Mapping):
                node = node.get(step)
            elif isinstance(node, Sequence) and not isinstance(node, str) and step.isdigit():
                index = int(step)
                node = node[index] if index < len(node) else None
            else:
                raise MalformedError(f"{'.'.join(walked) or 'properties'} should be an object")
        except UnknownValueError:
            return UNKNOWN
        walked.append(step)
        if node is None:
            return default
    return _checked(node, path, kind)


def _checked(value: Any, path: str, kind: type) -> Any:
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind in (int, float) and isinstance(value, bool):
        raise MalformedError(f"{path} should be {_KINDS[kind]}, got {value!r}")
    if kind is Sequence and isinstance(value, str):
        raise MalformedError(f"{path} should be a list, got a string")
    if not isinstance(value, kind):
        raise MalformedError(f"{path} should be {_KINDS.get(kind, kind.__name__)}, got {value!r}")
    return value


def items(props: Any, path: str) -> list[Any]:
    """The elements of the list at `path` ([] when absent); NotApplicableError when unknown."""
    value = at(props, path, Sequence, default=[])
    if value is UNKNOWN:
        raise NotApplicableError(f"{path} is unknown until the update runs")
    elements = []
    for index in range(len(value)):
        try:
            elements.append(value[index])
        except UnknownValueError:
            elements.append(UNKNOWN)
    return elements


def known(value: Any) -> bool:
    """Whether a value read with `at` is known and present."""
    return value is not None and value is not UNKNOWN


def env_vars(container: Any) -> dict[str, Any]:
    """A container's plain env values by name (UNKNOWN where unknown; secret refs are skipped)."""
    values: dict[str, Any] = {}
    for env in items(container, "envs"):
        if env is UNKNOWN:
            continue
        name = at(env, "name", str)
        if known(name) and at(env, "valueSource", Mapping) is None:
            values[name] = at(env, "value", str, default="")
    return values


def env_int(container: Any, name: str) -> int | Unknown | None:
    """An integer env var of a container: None when absent, UNKNOWN when unknown."""
    value = env_vars(container).get(name)
    if value is None or value is UNKNOWN:
        return value
    try:
        return int(value)
    except ValueError:
        raise MalformedError(f"env {name} should be a whole number, got {value!r}") from None

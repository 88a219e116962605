"""Good and bad examples stored beside each rule; the tests run every one of them."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Want:
    """One expected violation, whole: its sentence, the paths judged, observed and required."""

    message: str
    paths: tuple[str, ...]
    observed: Any = None
    required: Any = None
    urn: str | None = None
    """Stack rules: the resource the violation is about."""
    related: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Of:
    """An example of a type the rule also inspects besides its RESOURCE_TYPE (a v1 service)."""

    resource_type: str
    props: dict[str, Any]


@dataclass(frozen=True)
class Bad:
    """Properties (or stack resources) breaking the rule; `expect`: one Want per violation."""

    subject: Any
    expect: tuple[Want, ...]
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Examples:
    """A rule's examples: every good one yields nothing, every bad one exactly `expect`."""

    good: list[Any]
    bad: list[Bad]
    good_config: dict[str, Any] = field(default_factory=dict)


@dataclass
class Res:
    """A stack resource as a stack policy sees it (the shape of pulumi_policy.PolicyResource)."""

    resource_type: str
    props: dict[str, Any]
    urn: str = ""
    dependencies: list[Any] = field(default_factory=list)
    parent: Any = None
    """The parent's URN, as pulumi_policy gives a resource's parent."""

    def __post_init__(self) -> None:
        if not self.urn:
            self.urn = urn(self.resource_type, self.props.get("name", "r"))


def urn(resource_type: str, name: str = "r", parent_type: str = "") -> str:
    """The URN an example resource gets (Res), for the URNs an expected violation names; with
    `parent_type`, the URN of a child of that component (`conduit:service:Service`)."""
    qualified = f"{parent_type}${resource_type}" if parent_type else resource_type
    return f"urn:pulumi:test::conduit::{qualified}::{name}"


def changed(props: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `props` with `path` ("a.b.0.c") set to `value` (None deletes it)."""
    result = copy.deepcopy(props)
    node: Any = result
    steps = path.split(".")
    for step in steps[:-1]:
        node = node[int(step)] if isinstance(node, list) else node.setdefault(step, {})
    last = steps[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return result


def child(component: str, resource_type: str, props: dict[str, Any], **extra: Any) -> Res:
    """An example resource as a child of the Conduit component type `component`, its URN as the
    engine writes a child's."""
    return Res(
        resource_type, props, urn=urn(resource_type, props.get("name", "r"), component), **extra
    )

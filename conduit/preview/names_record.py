"""The names a stack's plan gives its resources: URNs and the name-bearing inputs, to prove that a
change renames nothing (scripts/record-resource-names.py, tests/preview/test_resource_names.py)."""

from __future__ import annotations

from pathlib import Path

from google.protobuf import json_format

from conduit.preview.plan import plan_stack

COMMITTED_STACKS: dict[str, str] = {
    "staging": ".",
    "staging-direct": ".",
    "production": ".",
    "incident": "examples/incident",
}
"""Every committed stack, with its project directory relative to the repository."""

NAME_INPUTS = ("name", "accountId", "secretId", "instanceId", "service", "network", "job", "user")
"""The inputs that name a resource or the resource it belongs to."""


def record(project_dir: Path, stack: str) -> dict[str, dict[str, str]]:
    """URN -> the resource's name-bearing string inputs, for every resource of the plan."""
    plan = plan_stack(project_dir, stack)
    names: dict[str, dict[str, str]] = {}
    for resource in plan.recording.resources:
        props = json_format.MessageToDict(resource.inputs)
        names[resource.urn] = {
            key: props[key] for key in NAME_INPUTS if isinstance(props.get(key), str)
        }
    return names

"""A `pulumi stack export` (deployment version 3) of a previewed plan, for `conduit audit` tests.

The mocks' state stands in for what `pulumi up` would record: each custom resource's inputs and
outputs, parent, dependencies and provider; secrets as the checkpoint writes them (ciphertext).
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format

from conduit.preview import sdk
from conduit.preview.plan import Plan
from conduit.preview.state import SECRET_SIG


def _checkpoint(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(sdk.SIG_KEY) == sdk.SECRET_SIG:
            return {sdk.SIG_KEY: SECRET_SIG, "ciphertext": "v1:AAAAAAAAAAAAAAAA:AAAAAAAA"}
        return {key: _checkpoint(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_checkpoint(item) for item in value]
    return value


def export(plan: Plan, project: str = "conduit") -> dict[str, Any]:
    """The plan's resources as `pulumi stack export` writes a deployed stack."""
    stack_urn = f"urn:pulumi:{plan.stack}::{project}::pulumi:pulumi:Stack::{project}-{plan.stack}"
    resources: list[dict[str, Any]] = [
        {"urn": stack_urn, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {}}
    ]
    for record in plan.recording.resources:
        resources.append(
            {
                "urn": record.urn,
                "custom": record.custom,
                "id": f"{record.name}-id" if record.custom else "",
                "type": record.type,
                "inputs": _checkpoint(json_format.MessageToDict(record.inputs)),
                "outputs": _checkpoint(json_format.MessageToDict(record.outputs)),
                "parent": record.parent,
                "dependencies": record.dependencies,
                "propertyDependencies": record.property_dependencies,
            }
        )
    return {
        "version": 3,
        "deployment": {"manifest": {"version": "v3.200.0"}, "resources": resources},
    }

"""Run one policy the way the SDK's analyzer does, collecting what it reports."""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import unknown_checking_proxy

NOT_APPLICABLE = "not-applicable"


def defaults(policy: Any) -> dict[str, Any]:
    schema = policy.config_schema
    if schema is None:
        return {}
    return {k: v["default"] for k, v in schema.properties.items() if "default" in v}


def run(
    policy: Any, subject: Any, config: dict[str, Any] | None = None, type_: str = ""
) -> list[str] | str:
    """The messages `policy` reports for `subject`, or NOT_APPLICABLE."""
    messages: list[str] = []
    merged = {**defaults(policy), **(config or {})}

    def report(message: str, _urn: str | None = None) -> None:
        messages.append(message)

    try:
        if isinstance(policy, StackValidationPolicy):
            for resource in subject:
                resource.props = (
                    unknown_checking_proxy(resource.props)
                    if isinstance(resource.props, dict)
                    else resource.props
                )
            policy.validate(StackValidationArgs(subject, merged), report)
        else:
            opts = PolicyResourceOptions(False, [], None, [], None, [], None)
            args = ResourceValidationArgs(
                type_, unknown_checking_proxy(subject), "urn:test", "r", opts, None, merged
            )
            policy.validate(args, report)
    except _NotApplicableError:
        return NOT_APPLICABLE
    return messages

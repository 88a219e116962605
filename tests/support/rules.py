"""Run one policy the way the SDK's analyzer does, collecting what it reports as data."""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

from pulumi_policy import (
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import unknown_checking_proxy

from conduit.core.violation import STRUCTURED_ENV, Violation, decode

NOT_APPLICABLE = "not-applicable"


def defaults(policy: Any) -> dict[str, Any]:
    schema = policy.config_schema
    if schema is None:
        return {}
    return {k: v["default"] for k, v in schema.properties.items() if "default" in v}


def run(
    policy: Any, subject: Any, config: dict[str, Any] | None = None, type_: str = ""
) -> list[Violation] | str:
    """The violations `policy` reports for `subject` (as Conduit receives them), or
    NOT_APPLICABLE."""
    violations: list[Violation] = []
    merged = {**defaults(policy), **(config or {})}

    def report(message: str, urn: str | None = None) -> None:
        decoded = decode(message, urn)
        assert decoded is not None, f"not a structured message: {message!r}"
        violations.append(decoded)

    try:
        with mock.patch.dict(os.environ, {STRUCTURED_ENV: "1"}):
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
    return violations

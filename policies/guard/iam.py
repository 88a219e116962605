"""What the rules read of IAM resources: a member, a binding or a whole policy document."""

from __future__ import annotations

import json
from typing import Any

from policies.guard.props import UNKNOWN, MalformedError, at, items, known


def members(props: Any) -> list[tuple[Any, str]]:
    """(role, member) pairs of whichever IAM resource this is: `member`, `members` or the
    bindings of `policyData`; unknown members are skipped."""
    role = at(props, "role", str)
    member = at(props, "member", str)
    if known(member):
        return [(role, member)]
    pairs = [(role, m) for m in items(props, "members") if m is not UNKNOWN]
    document = at(props, "policyData", str)
    if known(document):
        try:
            bindings = json.loads(document).get("bindings", [])
        except (ValueError, AttributeError):
            raise MalformedError("policyData should be an IAM policy document") from None
        for binding in bindings:
            pairs += [(binding.get("role"), m) for m in binding.get("members", [])]
    return pairs


def target(props: Any) -> Any:
    """The service or job an IAM resource is on: v2's `name`, v1's `service`."""
    name = at(props, "name", str)
    return name if name is not None else at(props, "service", str)

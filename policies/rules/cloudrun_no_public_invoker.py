"""cloudrun-no-public-invoker: nobody on the internet may invoke a service unless allowed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want
from policies.guard.props import UNKNOWN, at, items, known

MEMBER = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember"
RESOURCE_TYPE = MEMBER
BINDING = "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding"
POLICY_DOC = "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy"
PUBLIC = ("allUsers", "allAuthenticatedUsers")
INVOKER = "roles/run.invoker"
REMEDIATION = (
    "Grant roles/run.invoker to named identities, or list the service in the policy config's "
    "publicServices when it is meant to be public (conduit:service.publicInvoker)."
)


def _members(props: Any) -> list[tuple[str, str]]:
    """(role, member) pairs of whichever IAM resource this is."""
    role = at(props, "role", str)
    member = at(props, "member", str)
    if known(member):
        return [(role, member)]
    pairs = [(role, m) for m in items(props, "members") if m is not UNKNOWN]
    document = at(props, "policyData", str)
    if known(document):
        for binding in json.loads(document).get("bindings", []):
            pairs += [(binding.get("role"), m) for m in binding.get("members", [])]
    return pairs


def check(props: Any, config: Config) -> Iterator[Violation]:
    service = at(props, "name", str)
    if known(service) and service in config["publicServices"]:
        return
    for role, member in _members(props):
        if role == INVOKER and member in PUBLIC:
            yield Violation(f"{member} may invoke service {service}.", ("member",), member)


POLICY = resource_policy(
    name="cloudrun-no-public-invoker",
    description="Cloud Run services are not invokable by allUsers or allAuthenticatedUsers.",
    resource_types=(MEMBER, BINDING, POLICY_DOC),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
    defaults={"publicServices": []},
    schema={"publicServices": {"type": "array", "items": {"type": "string"}}},
)

_PUBLIC = {"name": "backend", "role": INVOKER, "member": "allUsers"}
EXAMPLES = Examples(
    good=[
        {
            "name": "backend",
            "role": INVOKER,
            "member": "serviceAccount:ci@p.iam.gserviceaccount.com",
        },
        {"name": "backend", "role": "roles/run.viewer", "member": "allUsers"},
    ],
    bad=[
        Bad(
            _PUBLIC,
            (
                Want(
                    "allUsers may invoke service backend.",
                    ("member",),
                    "allUsers",
                ),
            ),
        ),
        Bad(
            {
                "name": "backend",
                "role": INVOKER,
                "members": ["allAuthenticatedUsers"],
            },
            (
                Want(
                    "allAuthenticatedUsers may invoke service backend.",
                    ("member",),
                    "allAuthenticatedUsers",
                ),
            ),
        ),
        Bad(
            {
                "name": "backend",
                "policyData": json.dumps(
                    {"bindings": [{"role": INVOKER, "members": ["allUsers"]}]}
                ),
            },
            (
                Want(
                    "allUsers may invoke service backend.",
                    ("member",),
                    "allUsers",
                ),
            ),
        ),
    ],
)

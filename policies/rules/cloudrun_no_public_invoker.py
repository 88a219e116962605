"""cloudrun-no-public-invoker: nobody on the internet holds a role on a Cloud Run service (v1 or
v2), and only the invoker role on a service the policy config lists as public.

Covers Checkov CKV_GCP_102 (GCPCloudRunPrivateService: allUsers/allAuthenticatedUsers on a v1
service's IAM member or binding), here for any role, for v2 too and for whole policy documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want
from policies.guard.iam import members, target
from policies.guard.props import known

MEMBER = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember"
RESOURCE_TYPE = MEMBER
BINDING = "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding"
POLICY_DOC = "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy"
V1_TYPES = (
    "gcp:cloudrun/iamMember:IamMember",
    "gcp:cloudrun/iamBinding:IamBinding",
    "gcp:cloudrun/iamPolicy:IamPolicy",
)
INVOKER = facts.INVOKER_ROLE
REMEDIATION = (
    "Grant roles to named identities; only roles/run.invoker may go to allUsers, and only on a "
    "service listed in the policy config's publicServices because it is meant to be public "
    "(conduit:service.publicInvoker)."
)


def check(props: Any, config: Config) -> Iterator[Violation]:
    service = target(props)
    listed = known(service) and service in config["publicServices"]
    for role, member in members(props):
        if member not in facts.PUBLIC_MEMBERS:
            continue
        if role == INVOKER:
            if not listed:
                yield Violation(f"{member} may invoke service {service}.", ("member",), member)
        else:
            yield Violation(
                f"{member} holds {role} on service {service}.", ("member", "role"), member
            )


POLICY = resource_policy(
    name="cloudrun-no-public-invoker",
    description=(
        "Cloud Run services (v1 and v2) grant no role to allUsers or allAuthenticatedUsers, "
        "bar the invoker role on a listed public service."
    ),
    resource_types=(MEMBER, BINDING, POLICY_DOC, *V1_TYPES),
    check=check,
    severity=Severity.HIGH,
    security=True,
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
        {"service": "backend", "role": INVOKER, "member": "user:ops@acme.example"},
        {"name": "www", "role": INVOKER, "member": "allUsers"},
    ],
    good_config={"publicServices": ["www"]},
    bad=[
        # A public service may be invoked by anyone, and nothing more.
        Bad(
            {"name": "www", "role": "roles/run.developer", "member": "allUsers"},
            (
                Want(
                    "allUsers holds roles/run.developer on service www.",
                    ("member", "role"),
                    "allUsers",
                ),
            ),
            config={"publicServices": ["www"]},
        ),
        # A member that is not public before the one that is: the next still counts.
        Bad(
            {"name": "backend", "role": INVOKER, "members": ["user:ops@acme.example", "allUsers"]},
            (Want("allUsers may invoke service backend.", ("member",), "allUsers"),),
        ),
        # v1 names the service `service`.
        Bad(
            {"service": "backend", "role": "roles/run.viewer", "member": "allUsers"},
            (
                Want(
                    "allUsers holds roles/run.viewer on service backend.",
                    ("member", "role"),
                    "allUsers",
                ),
            ),
        ),
        Bad(
            {"service": "backend", "role": INVOKER, "member": "allUsers"},
            (Want("allUsers may invoke service backend.", ("member",), "allUsers"),),
            config={"publicServices": ["www"]},
        ),
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

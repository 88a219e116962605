"""iam-no-project-privileged-roles: no basic role and no service-account impersonation role is
granted on the whole project, to anyone.

Covers Checkov CKV_GCP_117 (GoogleProjectBasicRole: roles/owner, editor, viewer at project
level), CKV_GCP_41 (GoogleRoleServiceAccountUser: serviceAccountUser or serviceAccountTokenCreator
at project level) and the project part of CKV_GCP_49; Trivy AVD-GCP-0011
(google-iam-no-project-level-service-account-impersonation) and, for service accounts,
AVD-GCP-0007 (google-iam-no-privileged-service-accounts).
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
from policies.guard.iam import members

MEMBER = "gcp:projects/iAMMember:IAMMember"
RESOURCE_TYPE = MEMBER
BINDING = "gcp:projects/iAMBinding:IAMBinding"
POLICY_DOC = "gcp:projects/iAMPolicy:IAMPolicy"
REMEDIATION = (
    "Grant a predefined role on the one resource that needs it (a secret, a job, a service "
    "account); impersonation is granted on one service account, never on the project."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    for role, member in members(props):
        if role in facts.BASIC_ROLES:
            sentence = f"{member} holds {role} on the project (a basic role)."
        elif role in facts.IMPERSONATION_ROLES:
            sentence = (
                f"{member} holds {role} on the project: it may act as every service account "
                "of the project."
            )
        else:
            continue
        yield Violation(sentence, ("role", "member"), role)


POLICY = resource_policy(
    name="iam-no-project-privileged-roles",
    description=(
        "No basic role (owner, editor, viewer) and no serviceAccountUser or "
        "serviceAccountTokenCreator on the whole project."
    ),
    resource_types=(MEMBER, BINDING, POLICY_DOC),
    check=check,
    severity=Severity.CRITICAL,
    security=True,
    remediation=REMEDIATION,
)

_SA = "serviceAccount:backend-run@acme-staging.iam.gserviceaccount.com"
EXAMPLES = Examples(
    good=[
        {"project": "acme-staging", "role": "roles/logging.logWriter", "member": _SA},
        {"project": "acme-staging", "role": "roles/run.viewer", "members": [_SA]},
    ],
    bad=[
        Bad(
            {"project": "acme-staging", "role": "roles/editor", "member": _SA},
            (
                Want(
                    f"{_SA} holds roles/editor on the project (a basic role).",
                    ("role", "member"),
                    "roles/editor",
                ),
            ),
        ),
        Bad(
            {"project": "acme-staging", "role": "roles/owner", "members": ["user:a@acme.example"]},
            (
                Want(
                    "user:a@acme.example holds roles/owner on the project (a basic role).",
                    ("role", "member"),
                    "roles/owner",
                ),
            ),
        ),
        Bad(
            {"project": "acme-staging", "role": "roles/viewer", "member": "allUsers"},
            (
                Want(
                    "allUsers holds roles/viewer on the project (a basic role).",
                    ("role", "member"),
                    "roles/viewer",
                ),
            ),
        ),
        Bad(
            {"project": "acme-staging", "role": "roles/iam.serviceAccountUser", "member": _SA},
            (
                Want(
                    f"{_SA} holds roles/iam.serviceAccountUser on the project: it may act as "
                    "every service account of the project.",
                    ("role", "member"),
                    "roles/iam.serviceAccountUser",
                ),
            ),
        ),
        Bad(
            {
                "project": "acme-staging",
                "policyData": json.dumps(
                    {
                        "bindings": [
                            {"role": "roles/run.viewer", "members": [_SA]},
                            {"role": "roles/iam.serviceAccountTokenCreator", "members": [_SA]},
                        ]
                    }
                ),
            },
            (
                Want(
                    f"{_SA} holds roles/iam.serviceAccountTokenCreator on the project: it may act "
                    "as every service account of the project.",
                    ("role", "member"),
                    "roles/iam.serviceAccountTokenCreator",
                ),
            ),
        ),
    ],
)

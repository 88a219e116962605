"""cloudrun-job-no-public-members: nobody on the internet holds any role on a Cloud Run job.

A job has no public use: roles/run.invoker on it runs the job (with the database password in its
environment), roles/run.developer overrides its arguments and environment. Checkov's CKV_GCP_102
covers services only; this is the same check for `google_cloud_run_v2_job_iam_*`.
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

MEMBER = "gcp:cloudrunv2/jobIamMember:JobIamMember"
RESOURCE_TYPE = MEMBER
BINDING = "gcp:cloudrunv2/jobIamBinding:JobIamBinding"
POLICY_DOC = "gcp:cloudrunv2/jobIamPolicy:JobIamPolicy"
REMEDIATION = (
    "Grant the job's roles to named service accounts only (the scheduler's, the validator's): "
    "anyone who may run a job runs it with its secrets."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    job = target(props)
    for role, member in members(props):
        if member in facts.PUBLIC_MEMBERS:
            yield Violation(f"{member} holds {role} on job {job}.", ("member", "role"), member)


POLICY = resource_policy(
    name="cloudrun-job-no-public-members",
    description="Cloud Run jobs grant no role to allUsers or allAuthenticatedUsers.",
    resource_types=(MEMBER, BINDING, POLICY_DOC),
    check=check,
    severity=Severity.HIGH,
    security=True,
    remediation=REMEDIATION,
)

_SCHEDULER = "serviceAccount:staging-probe-scheduler@acme-staging.iam.gserviceaccount.com"
EXAMPLES = Examples(
    good=[
        {"name": "staging-probe", "role": facts.INVOKER_ROLE, "member": _SCHEDULER},
        {"name": "staging-probe", "role": "roles/run.viewer", "members": [_SCHEDULER]},
    ],
    bad=[
        Bad(
            {"name": "staging-probe", "role": facts.INVOKER_ROLE, "member": "allUsers"},
            (
                Want(
                    "allUsers holds roles/run.invoker on job staging-probe.",
                    ("member", "role"),
                    "allUsers",
                ),
            ),
        ),
        # A named member first, the public one second: each member is judged.
        Bad(
            {
                "name": "staging-probe",
                "role": "roles/run.developer",
                "members": [_SCHEDULER, "allAuthenticatedUsers"],
            },
            (
                Want(
                    "allAuthenticatedUsers holds roles/run.developer on job staging-probe.",
                    ("member", "role"),
                    "allAuthenticatedUsers",
                ),
            ),
        ),
        Bad(
            {
                "name": "staging-probe",
                "policyData": json.dumps(
                    {"bindings": [{"role": "roles/run.viewer", "members": ["allUsers"]}]}
                ),
            },
            (
                Want(
                    "allUsers holds roles/run.viewer on job staging-probe.",
                    ("member", "role"),
                    "allUsers",
                ),
            ),
        ),
    ],
)

"""cloudrun-job-dedicated-service-account: a job runs as its own identity, not a default one.

Jobs are judged as services are (cloudrun-dedicated-service-account): Checkov's CKV_GCP_30 and
Trivy's AVD-GCP-0044 (google-compute-no-default-service-account) make the same assertion for VMs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import JOB
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at, known
from policies.rules.cloudrun_dedicated_service_account import DEFAULT_ACCOUNTS

RESOURCE_TYPE = JOB
PATH = "template.template.serviceAccount"
REMEDIATION = (
    "Create a service account for the job with only what its tasks read and set "
    "template.template.serviceAccount: the default compute account holds Editor on the project."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    account = at(props, PATH, str)
    job = at(props, "name", str)
    if account is None:
        yield Violation(
            f"job {job} has no serviceAccount: it runs as the default compute account.", (PATH,)
        )
    elif known(account) and account.endswith(DEFAULT_ACCOUNTS):
        yield Violation(
            f"job {job} runs as {account}, a project default account.", (PATH,), account
        )


POLICY = resource_policy(
    name="cloudrun-job-dedicated-service-account",
    description="Cloud Run jobs run as a dedicated service account.",
    resource_types=(JOB,),
    check=check,
    severity=Severity.HIGH,
    security=True,
    remediation=REMEDIATION,
)

_APPSPOT = "acme-staging@appspot.gserviceaccount.com"
EXAMPLES = Examples(
    good=[
        samples.job(),
        # An account unknown at preview (the account resource's output): not judged.
        changed(samples.job(), PATH, samples.UNKNOWN),
    ],
    bad=[
        Bad(
            changed(samples.job(), PATH, None),
            (
                Want(
                    "job backend-probe has no serviceAccount: it runs as the default compute "
                    "account.",
                    (PATH,),
                ),
            ),
        ),
        Bad(
            changed(samples.job(), PATH, _APPSPOT),
            (
                Want(
                    f"job backend-probe runs as {_APPSPOT}, a project default account.",
                    (PATH,),
                    _APPSPOT,
                ),
            ),
        ),
    ],
)

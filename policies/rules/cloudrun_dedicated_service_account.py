"""cloudrun-dedicated-service-account: the service runs as its own identity, not a default one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Of, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = SERVICE
DEFAULT_ACCOUNTS = ("-compute@developer.gserviceaccount.com", "@appspot.gserviceaccount.com")
REMEDIATION = (
    "Create a service account for the service and set template.serviceAccount: the default "
    "compute account holds Editor on the whole project."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    account = at(props, "template.serviceAccount", str)
    if account is None:
        yield Violation(
            "no serviceAccount: the service runs as the default compute account.",
            ("template.serviceAccount",),
        )
    elif known(account) and account.endswith(DEFAULT_ACCOUNTS):
        yield Violation(
            f"serviceAccount {account} is a project default account.",
            ("template.serviceAccount",),
            account,
        )


POLICY = resource_policy(
    name="cloudrun-dedicated-service-account",
    description="Cloud Run services run as a dedicated service account.",
    resource_types=(SERVICE, SERVICE_V1),
    check=check,
    severity=Severity.HIGH,
    security=True,
    remediation=REMEDIATION,
)

_SA = "template.serviceAccount"
EXAMPLES = Examples(
    good=[
        samples.service(),
        Of(SERVICE_V1, samples.service_v1()),
        # An account unknown at preview (the account resource's output): not judged.
        changed(samples.service(), _SA, samples.UNKNOWN),
    ],
    bad=[
        Bad(
            changed(samples.service(), _SA, None),
            (
                Want(
                    "no serviceAccount: the service runs as the default compute account.",
                    ("template.serviceAccount",),
                ),
            ),
        ),
        Bad(
            changed(samples.service(), _SA, "123-compute@developer.gserviceaccount.com"),
            (
                Want(
                    (
                        "serviceAccount 123-compute@developer.gserviceaccount.com is a project "
                        "default account."
                    ),
                    ("template.serviceAccount",),
                    "123-compute@developer.gserviceaccount.com",
                ),
            ),
        ),
        Bad(
            Of(SERVICE_V1, changed(samples.service_v1(), "template.spec.serviceAccountName", None)),
            (
                Want(
                    "no serviceAccount: the service runs as the default compute account.",
                    ("template.spec.serviceAccountName",),
                ),
            ),
        ),
    ],
)

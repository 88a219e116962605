"""cloudsql-deletion-protection: protected from deletion by Pulumi and by the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at

RESOURCE_TYPE = "gcp:sql/databaseInstance:DatabaseInstance"
REMEDIATION = (
    "Set deletionProtection (Pulumi's guard) and settings.deletionProtectionEnabled (the API's, "
    "which also stops console and gcloud deletes) to true."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    # Pulumi's field defaults to true (absent is not False); the API field defaults to false.
    if at(props, "deletionProtection", bool) is False:
        yield Violation("deletionProtection is false.", ("deletionProtection",), False, True)
    if at(props, "settings.deletionProtectionEnabled", bool, default=False) is False:
        yield Violation(
            "settings.deletionProtectionEnabled is not true.",
            ("settings.deletionProtectionEnabled",),
            False,
            True,
        )


POLICY = resource_policy(
    name="cloudsql-deletion-protection",
    description="Cloud SQL must be protected from deletion on both the Pulumi and the API field.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

EXAMPLES = Examples(
    good=[samples.instance(), changed(samples.instance(), "deletionProtection", None)],
    bad=[
        Bad(
            changed(samples.instance(), "deletionProtection", False),
            (
                Want(
                    "deletionProtection is false.",
                    ("deletionProtection",),
                    False,
                    True,
                ),
            ),
        ),
        Bad(
            changed(samples.instance(), "settings.deletionProtectionEnabled", None),
            (
                Want(
                    "settings.deletionProtectionEnabled is not true.",
                    ("settings.deletionProtectionEnabled",),
                    False,
                    True,
                ),
            ),
        ),
    ],
)

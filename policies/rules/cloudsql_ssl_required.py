"""cloudsql-ssl-required: connections to the instance must be encrypted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = "gcp:sql/databaseInstance:DatabaseInstance"
ENCRYPTED = facts.SSL_MODES_ENCRYPTED
REMEDIATION = "Set settings.ipConfiguration.sslMode to ENCRYPTED_ONLY."


def check(props: Any, _config: Config) -> Iterator[Violation]:
    mode = at(props, "settings.ipConfiguration.sslMode", str)
    if not known(mode) and mode is not None:
        return
    if mode not in ENCRYPTED:
        shown = mode or "unset"
        yield Violation(
            f"sslMode is {shown}: unencrypted connections are accepted.",
            ("settings.ipConfiguration.sslMode",),
            mode,
            sorted(ENCRYPTED),
        )


POLICY = resource_policy(
    name="cloudsql-ssl-required",
    description="Cloud SQL must refuse unencrypted connections.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.HIGH,
    security=True,
    remediation=REMEDIATION,
)

_MODE = "settings.ipConfiguration.sslMode"
EXAMPLES = Examples(
    good=[
        samples.instance(),
        changed(samples.instance(), _MODE, "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"),
    ],
    bad=[
        Bad(
            changed(samples.instance(), _MODE, "ALLOW_UNENCRYPTED_AND_ENCRYPTED"),
            (
                Want(
                    (
                        "sslMode is ALLOW_UNENCRYPTED_AND_ENCRYPTED: unencrypted connections are "
                        "accepted."
                    ),
                    ("settings.ipConfiguration.sslMode",),
                    "ALLOW_UNENCRYPTED_AND_ENCRYPTED",
                    ["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"],
                ),
            ),
        ),
        Bad(
            changed(samples.instance(), _MODE, None),
            (
                Want(
                    "sslMode is unset: unencrypted connections are accepted.",
                    ("settings.ipConfiguration.sslMode",),
                    None,
                    ["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"],
                ),
            ),
        ),
    ],
)

"""cloudsql-backups-and-pitr: automated backups and point-in-time recovery are on."""

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
    "Set settings.backupConfiguration.enabled and pointInTimeRecoveryEnabled to true "
    "(Enterprise edition does not enable PITR by itself)."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    backups = "settings.backupConfiguration"
    if at(props, f"{backups}.enabled", bool, default=False) is False:
        yield Violation("automated backups are off.", (f"{backups}.enabled",), False, True)
    if at(props, f"{backups}.pointInTimeRecoveryEnabled", bool, default=False) is False:
        yield Violation(
            "point-in-time recovery is off.",
            (f"{backups}.pointInTimeRecoveryEnabled",),
            False,
            True,
        )


POLICY = resource_policy(
    name="cloudsql-backups-and-pitr",
    description="Cloud SQL must have automated backups and point-in-time recovery.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.MEDIUM,
    remediation=REMEDIATION,
)

EXAMPLES = Examples(
    good=[samples.instance()],
    bad=[
        Bad(
            changed(samples.instance(), "settings.backupConfiguration", None),
            (
                Want(
                    "automated backups are off.",
                    ("settings.backupConfiguration.enabled",),
                    False,
                    True,
                ),
                Want(
                    "point-in-time recovery is off.",
                    ("settings.backupConfiguration.pointInTimeRecoveryEnabled",),
                    False,
                    True,
                ),
            ),
        ),
        Bad(
            changed(
                samples.instance(), "settings.backupConfiguration.pointInTimeRecoveryEnabled", False
            ),
            (
                Want(
                    "point-in-time recovery is off.",
                    ("settings.backupConfiguration.pointInTimeRecoveryEnabled",),
                    False,
                    True,
                ),
            ),
        ),
    ],
)

"""redis-auth-enabled: Memorystore for Redis requires AUTH (the provider's default is off)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at

RESOURCE_TYPE = "gcp:redis/instance:Instance"
REMEDIATION = (
    "Set conduit:redis.authEnabled to true; services get the AUTH string by Secret Manager "
    "reference (REDIS_AUTH)."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    if at(props, "authEnabled", bool, default=False) is False:
        yield Violation(
            "AUTH is off: any client in the VPC can read and write the instance.",
            ("authEnabled",),
            False,
            True,
        )


POLICY = resource_policy(
    name="redis-auth-enabled",
    description="A Redis instance requires AUTH.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.HIGH,
    security=True,
    remediation=REMEDIATION,
)

_OFF = Want(
    "AUTH is off: any client in the VPC can read and write the instance.",
    ("authEnabled",),
    False,
    True,
)

EXAMPLES = Examples(
    good=[samples.redis()],
    bad=[
        Bad(changed(samples.redis(), "authEnabled", False), (_OFF,)),
        # Absent: the provider's default is off.
        Bad(changed(samples.redis(), "authEnabled", None), (_OFF,)),
    ],
)

"""redis-transit-encryption: clients reach Redis over TLS (the provider's default is none)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = "gcp:redis/instance:Instance"
REQUIRED = "SERVER_AUTHENTICATION"
REMEDIATION = (
    "Set conduit:redis.transitEncryption to SERVER_AUTHENTICATION; services get the server's CA "
    "as REDIS_CA_CERT."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    mode = at(props, "transitEncryptionMode", str, default="DISABLED")
    if known(mode) and mode != REQUIRED:
        yield Violation(
            f"in-transit encryption is {mode}: the AUTH string and the data cross the VPC in "
            "clear text.",
            ("transitEncryptionMode",),
            mode,
            REQUIRED,
        )


POLICY = resource_policy(
    name="redis-transit-encryption",
    description="Redis traffic is encrypted in transit (TLS with server authentication).",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.HIGH,
    security=True,
    remediation=REMEDIATION,
)

_DISABLED = Want(
    "in-transit encryption is DISABLED: the AUTH string and the data cross the VPC in clear text.",
    ("transitEncryptionMode",),
    "DISABLED",
    REQUIRED,
)

EXAMPLES = Examples(
    good=[
        samples.redis(),
        # A mode unknown at preview: not judged.
        changed(samples.redis(), "transitEncryptionMode", samples.UNKNOWN),
    ],
    bad=[
        Bad(changed(samples.redis(), "transitEncryptionMode", "DISABLED"), (_DISABLED,)),
        Bad(changed(samples.redis(), "transitEncryptionMode", None), (_DISABLED,)),
    ],
)

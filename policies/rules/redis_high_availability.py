"""redis-high-availability: a STANDARD_HA instance (a replica in another zone, automatic failover).

Advisory by default; the production policy config makes it mandatory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = "gcp:redis/instance:Instance"
REQUIRED = "STANDARD_HA"
REMEDIATION = "Set conduit:redis.tier to STANDARD_HA."


def check(props: Any, _config: Config) -> Iterator[Violation]:
    tier = at(props, "tier", str, default="BASIC")
    if known(tier) and tier != REQUIRED:
        yield Violation(
            f"tier {tier} is a single node: a zone outage or maintenance loses Redis and its data.",
            ("tier",),
            tier,
            REQUIRED,
        )


POLICY = resource_policy(
    name="redis-high-availability",
    description="A Redis instance is highly available (STANDARD_HA).",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.MEDIUM,
    remediation=REMEDIATION,
    enforcement=EnforcementLevel.ADVISORY,
)

_BASIC = Want(
    "tier BASIC is a single node: a zone outage or maintenance loses Redis and its data.",
    ("tier",),
    "BASIC",
    REQUIRED,
)

EXAMPLES = Examples(
    good=[
        samples.redis(),
        # A tier unknown at preview: not judged.
        changed(samples.redis(), "tier", samples.UNKNOWN),
    ],
    bad=[
        Bad(changed(samples.redis(), "tier", "BASIC"), (_BASIC,)),
        # Absent: the provider's default is BASIC.
        Bad(changed(samples.redis(), "tier", None), (_BASIC,)),
    ],
)

"""cloudsql-dedicated-core: no shared-core tier (no SLA, 25-50 connections)."""

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
REMEDIATION = "Use a dedicated-core tier such as db-custom-2-7680."


def check(props: Any, _config: Config) -> Iterator[Violation]:
    tier = at(props, "settings.tier", str)
    if known(tier) and tier in facts.SHARED_CORE_TIERS_MEMORY_GB:
        default = facts.default_max_connections(facts.SHARED_CORE_TIERS_MEMORY_GB[tier])
        yield Violation(
            f"tier {tier} is shared-core: no SLA and {default} connections by default.",
            ("settings.tier",),
            tier,
            "a dedicated-core tier",
        )


POLICY = resource_policy(
    name="cloudsql-dedicated-core",
    description="Cloud SQL must use a dedicated-core tier.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

EXAMPLES = Examples(
    good=[samples.instance()],
    bad=[
        Bad(
            changed(samples.instance(), "settings.tier", "db-g1-small"),
            (
                Want(
                    "tier db-g1-small is shared-core: no SLA and 50 connections by default.",
                    ("settings.tier",),
                    "db-g1-small",
                    "a dedicated-core tier",
                ),
            ),
        ),
        Bad(
            changed(samples.instance(), "settings.tier", "db-f1-micro"),
            (
                Want(
                    "tier db-f1-micro is shared-core: no SLA and 25 connections by default.",
                    ("settings.tier",),
                    "db-f1-micro",
                    "a dedicated-core tier",
                ),
            ),
        ),
    ],
)

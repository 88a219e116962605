"""The conduit CrossGuard pack: wiring only (PolicyPack serves until the engine stops it)."""

from pulumi_policy import EnforcementLevel, PolicyPack

from rules import POLICIES

PolicyPack(
    name="conduit",
    policies=POLICIES,
    enforcement_level=EnforcementLevel.MANDATORY,
    description="Guards Cloud Run -> VPC connector -> private Cloud SQL against start-up outages.",
)

"""The conduit CrossGuard pack: wiring only (PolicyPack serves until the engine stops it)."""

import sys
from pathlib import Path

# The engine runs this file with the pack's directory on sys.path; the rules are the `policies`
# package (so tests and mutation tools import them by the same names), found from the parent.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.rules import POLICIES

PolicyPack(
    name="conduit",
    policies=POLICIES,
    enforcement_level=EnforcementLevel.MANDATORY,
    description="Guards Cloud Run -> VPC connector -> private Cloud SQL against start-up outages.",
)

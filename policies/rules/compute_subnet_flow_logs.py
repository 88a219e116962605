"""compute-subnet-flow-logs: every subnet Conduit creates records VPC flow logs.

Covers Checkov CKV_GCP_26 (GoogleSubnetworkLoggingEnabled: a `log_config` block, not judged on
proxy-only subnets) and Trivy AVD-GCP-0029 (google-compute-enable-vpc-flow-logs).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at

RESOURCE_TYPE = "gcp:compute/subnetwork:Subnetwork"
REMEDIATION = (
    "Give the subnet a logConfig (e.g. aggregationInterval INTERVAL_5_SEC, flowSampling 0.5, "
    "metadata INCLUDE_ALL_METADATA): who reached the database from Cloud Run is then on record."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    if at(props, "purpose", str) in facts.PROXY_SUBNET_PURPOSES:
        return
    if at(props, "logConfig", Mapping) is None:
        yield Violation(f"subnet {at(props, 'name', str)} records no flow logs.", ("logConfig",))


POLICY = resource_policy(
    name="compute-subnet-flow-logs",
    description="VPC subnets record flow logs.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.LOW,
    remediation=REMEDIATION,
)

_LOGGED = changed(samples.subnet(), "logConfig", {"aggregationInterval": "INTERVAL_5_SEC"})
EXAMPLES = Examples(
    good=[_LOGGED, changed(samples.subnet(), "purpose", "REGIONAL_MANAGED_PROXY")],
    bad=[
        Bad(
            samples.subnet(),
            (Want("subnet staging-run-egress records no flow logs.", ("logConfig",)),),
        ),
        Bad(
            changed(samples.subnet(), "purpose", "PRIVATE"),
            (Want("subnet staging-run-egress records no flow logs.", ("logConfig",)),),
        ),
    ],
)

"""direct-vpc-cloud-nat-advisory: Direct VPC egress beside Cloud NAT in the same region.

Google documents cold-start delays of 30 s or more for Direct VPC egress with Cloud NAT, and
recommends the connector with Cloud NAT for better start-up. Advisory: NAT may be needed for
other reasons, and the start-up probe can cover the delay.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import EnforcementLevel, Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE, on_direct_vpc
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.props import at, known

NAT = "gcp:compute/routerNat:RouterNat"
REMEDIATION = (
    "Egress through the connector where Cloud NAT is needed, or raise direct-vpc-startup-probe's "
    "warmUpSeconds by the delay and size the start-up probe for it."
)


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    nat_regions: dict[str, StackResource] = {}
    for nat in of_type(resources, NAT):
        region = at(nat.props, "region", str)
        if known(region):
            nat_regions.setdefault(region, nat)
    for service in of_type(resources, SERVICE):
        region = at(service.props, "location", str)
        if not (known(region) and region in nat_regions and on_direct_vpc(service.props)):
            continue
        nat = nat_regions[region]
        yield Violation(
            f"service egresses by Direct VPC in {region}, where Cloud NAT "
            f"{at(nat.props, 'name', str, default='?')} runs: Google documents cold-start delays "
            "of 30 s or more for this pairing.",
            ("template.vpcAccess.networkInterfaces",),
            urn=service.urn,
            related=((nat.urn, "region"),),
        )


POLICY = stack_policy(
    name="direct-vpc-cloud-nat-advisory",
    description="Direct VPC egress with Cloud NAT in the region slows cold starts (30 s or more).",
    check=check,
    inspects=("gcp:compute/routerNat:RouterNat",),
    severity=Severity.MEDIUM,
    remediation=REMEDIATION,
    enforcement=EnforcementLevel.ADVISORY,
)

EXAMPLES = Examples(
    good=[
        [Res(NAT, samples.router_nat()), Res(SERVICE, samples.service())],
        [Res(SERVICE, samples.direct_service())],
        [
            Res(NAT, changed(samples.router_nat(), "region", "europe-west1")),
            Res(SERVICE, samples.direct_service()),
        ],
        [
            Res(NAT, changed(samples.router_nat(), "region", samples.UNKNOWN)),
            Res(SERVICE, samples.direct_service()),
        ],
    ],
    bad=[
        # A connector service before it is not the advisory's, and does not stop it.
        Bad(
            [
                Res(NAT, samples.router_nat()),
                Res(SERVICE, {**samples.service(), "name": "legacy"}),
                Res(SERVICE, samples.direct_service()),
            ],
            (
                Want(
                    "service egresses by Direct VPC in us-central1, where Cloud NAT staging-nat "
                    "runs: Google documents cold-start delays of 30 s or more for this pairing.",
                    ("template.vpcAccess.networkInterfaces",),
                    urn=urn(SERVICE, "backend"),
                    related=((urn(NAT, "staging-nat"), "region"),),
                ),
            ),
        ),
        # A NAT whose name is not set is named "?"; the first NAT of a region is the one named.
        Bad(
            [
                Res(NAT, changed(samples.router_nat(), "name", None), urn=urn(NAT, "unnamed")),
                Res(NAT, samples.router_nat()),
                Res(SERVICE, samples.direct_service()),
            ],
            (
                Want(
                    "service egresses by Direct VPC in us-central1, where Cloud NAT ? runs: "
                    "Google documents cold-start delays of 30 s or more for this pairing.",
                    ("template.vpcAccess.networkInterfaces",),
                    urn=urn(SERVICE, "backend"),
                    related=((urn(NAT, "unnamed"), "region"),),
                ),
            ),
        ),
    ],
)

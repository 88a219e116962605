"""direct-vpc-region-matches-service: a service or job takes addresses only from a subnet in its own
region (subnets are regional; Cloud Run refuses a subnet of another region)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import JOB, JOB_VPC, SERVICE, SERVICE_VPC
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import subnet_linker, subnet_of
from policies.guard.props import at, known

SUBNET = "gcp:compute/subnetwork:Subnetwork"
REMEDIATION = "Create the Direct VPC subnet in the service's region (a subnet is regional)."


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    linker = subnet_linker(of_type(resources, SUBNET))
    for resource in of_type(resources, SERVICE, JOB):
        path = JOB_VPC if resource.resource_type == JOB else SERVICE_VPC
        subnet = subnet_of(resource, linker, path)
        if subnet is None:
            continue
        region = at(resource.props, "location", str)
        subnet_region = at(subnet.props, "region", str)
        if known(region) and known(subnet_region) and region != subnet_region:
            kind = "job" if resource.resource_type == JOB else "service"
            yield Violation(
                f"{kind} in {region} egresses through subnet "
                f"{at(subnet.props, 'name', str, default='?')} in {subnet_region}.",
                ("location",),
                observed=subnet_region,
                required=region,
                urn=resource.urn,
                related=((subnet.urn, "region"),),
            )


POLICY = stack_policy(
    name="direct-vpc-region-matches-service",
    description="A Direct VPC service's or job's subnet must be in its own region.",
    check=check,
    inspects=(JOB,),
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

_ELSEWHERE = changed(samples.subnet(), "region", "europe-west1")
EXAMPLES = Examples(
    good=[
        [Res(SUBNET, samples.subnet()), Res(SERVICE, samples.direct_service())],
        [Res(SUBNET, samples.subnet()), Res(JOB, samples.job())],
        # A connector service uses no subnet; an unknown region is not judged.
        [Res(SUBNET, _ELSEWHERE), Res(SERVICE, samples.service())],
        [
            Res(SUBNET, changed(samples.subnet(), "region", samples.UNKNOWN)),
            Res(JOB, samples.job()),
        ],
        # The service's own region unknown at preview: not judged either.
        [
            Res(SUBNET, _ELSEWHERE),
            Res(SERVICE, changed(samples.direct_service(), "location", samples.UNKNOWN)),
        ],
    ],
    bad=[
        # A connector service before it takes no address and does not stop the judging.
        Bad(
            [
                Res(SUBNET, _ELSEWHERE),
                Res(SERVICE, {**samples.service(), "name": "legacy"}),
                Res(SERVICE, samples.direct_service()),
            ],
            (
                Want(
                    "service in us-central1 egresses through subnet staging-run-egress in "
                    "europe-west1.",
                    ("location",),
                    "europe-west1",
                    "us-central1",
                    urn=urn(SERVICE, "backend"),
                    related=((urn(SUBNET, "staging-run-egress"), "region"),),
                ),
            ),
        ),
        Bad(
            [Res(SUBNET, _ELSEWHERE), Res(JOB, samples.job())],
            (
                Want(
                    "job in us-central1 egresses through subnet staging-run-egress in "
                    "europe-west1.",
                    ("location",),
                    "europe-west1",
                    "us-central1",
                    urn=urn(JOB, "backend-probe"),
                    related=((urn(SUBNET, "staging-run-egress"), "region"),),
                ),
            ),
        ),
    ],
)

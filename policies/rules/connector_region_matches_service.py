"""connector-region-matches-service: a connector serves only services in its own region."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import connector_linker, connector_of
from policies.guard.props import at, known

CONNECTOR = "gcp:vpcaccess/connector:Connector"
REMEDIATION = "Create the connector in the service's region (a connector is regional)."


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    connectors = of_type(resources, CONNECTOR)
    linker = connector_linker(connectors)
    for service in of_type(resources, SERVICE):
        connector = connector_of(service, linker)
        if connector is None:
            continue
        service_region = at(service.props, "location", str)
        connector_region = at(connector.props, "region", str)
        if known(service_region) and known(connector_region) and service_region != connector_region:
            yield Violation(
                f"service in {service_region} uses a connector in {connector_region}.",
                ("location",),
                observed=connector_region,
                required=service_region,
                urn=service.urn,
                related=((connector.urn, "region"),),
            )


POLICY = stack_policy(
    name="connector-region-matches-service",
    description="A service's connector must be in the service's region.",
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

_ELSEWHERE = Want(
    "service in us-central1 uses a connector in europe-west1.",
    ("location",),
    "europe-west1",
    "us-central1",
    urn=urn(SERVICE, "backend"),
    related=((urn(CONNECTOR, "staging-connector"), "region"),),
)
EXAMPLES = Examples(
    good=[
        [Res(CONNECTOR, samples.connector()), Res(SERVICE, samples.service())],
        # A Cloud Run v1 service, its connector named by its vpc-access-connector annotation.
        [Res(CONNECTOR, samples.connector()), Res(SERVICE_V1, samples.service_v1())],
        # A region unknown at preview is not judged.
        [
            Res(CONNECTOR, changed(samples.connector(), "region", samples.UNKNOWN)),
            Res(SERVICE, samples.service()),
        ],
        [
            Res(CONNECTOR, changed(samples.connector(), "region", "europe-west1")),
            Res(SERVICE, changed(samples.service(), "location", samples.UNKNOWN)),
        ],
    ],
    bad=[
        # A service with no connector (Direct VPC egress) before one with a connector elsewhere.
        Bad(
            [
                Res(CONNECTOR, changed(samples.connector(), "region", "europe-west1")),
                Res(SERVICE, {**samples.direct_service(), "name": "direct"}),
                Res(SERVICE, samples.service()),
            ],
            (_ELSEWHERE,),
        ),
        Bad(
            [
                Res(CONNECTOR, changed(samples.connector(), "region", "europe-west1")),
                Res(SERVICE_V1, samples.service_v1()),
            ],
            (
                Want(
                    "service in us-central1 uses a connector in europe-west1.",
                    ("location",),
                    "europe-west1",
                    "us-central1",
                    urn=urn(SERVICE_V1, "backend"),
                    related=((urn(CONNECTOR, "staging-connector"), "region"),),
                ),
            ),
        ),
        Bad(
            [
                Res(CONNECTOR, changed(samples.connector(), "region", "europe-west1")),
                Res(SERVICE, samples.service()),
            ],
            (_ELSEWHERE,),
        ),
    ],
)

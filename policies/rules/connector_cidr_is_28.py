"""connector-cidr-is-28: a connector's own range is exactly a /28, or it uses a /28 subnet."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = "gcp:vpcaccess/connector:Connector"
REMEDIATION = "Set ipCidrRange to an unused /28 (e.g. 10.8.0.0/28), or name a /28 subnet."


def check(props: Any, _config: Config) -> Iterator[Violation]:
    subnet = at(props, "subnet.name", str)
    cidr = at(props, "ipCidrRange", str)
    if subnet is not None and cidr is None:
        return
    if cidr is None:
        yield Violation(
            "connector has neither ipCidrRange nor subnet.", ("ipCidrRange",), None, "/28"
        )
        return
    if not known(cidr):
        return
    try:
        network = ipaddress.IPv4Network(cidr)
    except ValueError:
        yield Violation(
            f"ipCidrRange {cidr!r} is not an IPv4 CIDR range.", ("ipCidrRange",), cidr, "/28"
        )
        return
    if network.prefixlen != 28:
        yield Violation(
            f"ipCidrRange {cidr} is a /{network.prefixlen}; connectors need a /28.",
            ("ipCidrRange",),
            f"/{network.prefixlen}",
            "/28",
        )


POLICY = resource_policy(
    name="connector-cidr-is-28",
    description="A Serverless VPC Access connector needs an unused /28 range or a /28 subnet.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

EXAMPLES = Examples(
    good=[
        samples.connector(),
        changed(changed(samples.connector(), "ipCidrRange", None), "subnet", {"name": "conn-28"}),
    ],
    bad=[
        Bad(
            changed(samples.connector(), "ipCidrRange", "10.8.0.0/24"),
            (
                Want(
                    "ipCidrRange 10.8.0.0/24 is a /24; connectors need a /28.",
                    ("ipCidrRange",),
                    "/24",
                    "/28",
                ),
            ),
        ),
        Bad(
            changed(samples.connector(), "ipCidrRange", "10.8.0/28x"),
            (
                Want(
                    "ipCidrRange '10.8.0/28x' is not an IPv4 CIDR range.",
                    ("ipCidrRange",),
                    "10.8.0/28x",
                    "/28",
                ),
            ),
        ),
        Bad(
            changed(samples.connector(), "ipCidrRange", None),
            (
                Want(
                    "connector has neither ipCidrRange nor subnet.",
                    ("ipCidrRange",),
                    None,
                    "/28",
                ),
            ),
        ),
        # A subnet named beside a range: the range is still judged.
        Bad(
            changed(
                changed(samples.connector(), "ipCidrRange", "10.8.0.0/24"), "subnet", {"name": "s"}
            ),
            (
                Want(
                    "ipCidrRange 10.8.0.0/24 is a /24; connectors need a /28.",
                    ("ipCidrRange",),
                    "/24",
                    "/28",
                ),
            ),
        ),
    ],
)

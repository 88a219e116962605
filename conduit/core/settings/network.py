"""`conduit:network`: the VPC, private services access and the egress path."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from conduit.core import facts
from conduit.core.settings.base import CrossFieldError, Model, ipv4_network


def _cidr_28(value: str) -> str:
    network = ipv4_network(value)
    if network.prefixlen != facts.CONNECTOR_PREFIX_LENGTH:
        raise ValueError(f"must be a /28 (16 addresses), got /{network.prefixlen}")
    return value


def _private_services_range(value: str) -> str:
    network = ipv4_network(value)
    if network.prefixlen > facts.PRIVATE_SERVICES_MAX_PREFIX:
        raise ValueError(f"must be /24 or larger (/16 recommended), got /{network.prefixlen}")
    if not network.is_private:
        raise ValueError("must be a private range")
    return value


class ConnectorSettings(Model):
    """The Serverless VPC Access connector."""

    name: Annotated[str, StringConstraints(pattern=facts.CONNECTOR_NAME_PATTERN)]
    ip_cidr_range: Annotated[str, AfterValidator(_cidr_28)]
    machine_type: facts.ConnectorMachineType = facts.CONNECTOR_DEDICATED_MACHINE_TYPE
    min_instances: Annotated[
        int, Field(ge=facts.CONNECTOR_MIN_INSTANCES[0], le=facts.CONNECTOR_MIN_INSTANCES[1])
    ] = 3
    max_instances: Annotated[
        int, Field(ge=facts.CONNECTOR_MAX_INSTANCES[0], le=facts.CONNECTOR_MAX_INSTANCES[1])
    ] = 10

    @model_validator(mode="after")
    def _min_below_max(self) -> ConnectorSettings:
        if self.min_instances >= self.max_instances:
            raise CrossFieldError(
                "minInstances",
                f"minInstances ({self.min_instances}) must be less than maxInstances "
                f"({self.max_instances})",
            )
        return self


def _direct_vpc_subnet(value: str) -> str:
    network = ipv4_network(value)
    if network.prefixlen > facts.DIRECT_VPC_MAX_PREFIX:
        raise ValueError(
            f"must be /{facts.DIRECT_VPC_MAX_PREFIX} or larger for Direct VPC egress (Cloud Run "
            f"reserves addresses 16 at a time), got /{network.prefixlen}"
        )
    if not any(network.subnet_of(ipaddress.IPv4Network(r)) for r in facts.SUBNET_RANGES):
        raise ValueError(f"must lie in {', '.join(facts.SUBNET_RANGES)}")
    return value


class SubnetSettings(Model):
    """The regional subnet Cloud Run's instances take their addresses from (Direct VPC egress)."""

    name: Annotated[str, StringConstraints(pattern=facts.SUBNET_NAME_PATTERN)]
    ip_cidr_range: Annotated[str, AfterValidator(_direct_vpc_subnet)]


class NetworkSettings(Model):
    """The VPC network, private services access, and the egress path: the connector, or a subnet
    for Direct VPC egress."""

    egress: facts.EgressPath = "connector"
    connector: ConnectorSettings | None = None
    subnet: SubnetSettings | None = None
    private_services_range: Annotated[str, AfterValidator(_private_services_range)]

    @model_validator(mode="after")
    def _one_egress_path(self) -> NetworkSettings:
        wanted, other = (
            ("connector", "subnet") if self.egress == "connector" else ("subnet", "connector")
        )
        if getattr(self, wanted) is None:
            raise CrossFieldError(wanted, f"egress {self.egress} needs a {wanted} block")
        if getattr(self, other) is not None:
            raise CrossFieldError(
                other,
                f"egress {self.egress} takes no {other} block (a {other} belongs to egress "
                f"{'direct' if other == 'subnet' else 'connector'}; allowed egress: "
                f"{' | '.join(facts.EGRESS_PATHS)})",
            )
        if self.subnet is not None:
            subnet = ipaddress.IPv4Network(self.subnet.ip_cidr_range)
            psa = ipaddress.IPv4Network(self.private_services_range)
            if subnet.overlaps(psa):
                raise CrossFieldError(
                    "subnet.ipCidrRange",
                    f"{subnet} overlaps privateServicesRange {psa}: Google refuses overlapping "
                    "ranges on one VPC",
                )
        return self

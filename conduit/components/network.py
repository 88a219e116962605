"""The VPC network, private services access for Cloud SQL, and the VPC Access connector."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.options import child_options
from conduit.core.settings import NetworkSettings


@dataclass(frozen=True)
class NetworkArgs:
    """What the network needs: its settings and the region of the service it serves."""

    settings: NetworkSettings
    region: str
    settings_key: str = "conduit:network"


class Network(pulumi.ComponentResource):
    """A custom-mode VPC with private services access and a connector sized from the settings."""

    network_id: pulumi.Output[str]
    """The VPC network's id, for Cloud SQL's private network."""
    connector_id: pulumi.Output[str]
    """`projects/{project}/locations/{region}/connectors/{name}`, for Cloud Run's vpcAccess."""
    private_services_connection: gcp.servicenetworking.Connection
    """The peering Cloud SQL's private IP depends on."""

    def __init__(self, name: str, args: NetworkArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:network:Network", name, {}, opts)
        child = child_options(self, opts)
        connector = args.settings.connector

        network = gcp.compute.Network(
            f"{name}-vpc", auto_create_subnetworks=False, routing_mode="REGIONAL", opts=child
        )
        psa_range = ipaddress.IPv4Network(args.settings.private_services_range)
        address = gcp.compute.GlobalAddress(
            f"{name}-psa-range",
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            address=str(psa_range.network_address),
            prefix_length=psa_range.prefixlen,
            network=network.id,
            opts=child,
        )
        self.private_services_connection = gcp.servicenetworking.Connection(
            f"{name}-psa",
            network=network.id,
            service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[address.name],
            opts=child,
        )
        vpc_connector = gcp.vpcaccess.Connector(
            f"{name}-connector",
            name=connector.name,
            region=args.region,
            network=network.name,
            ip_cidr_range=connector.ip_cidr_range,
            machine_type=connector.machine_type,
            min_instances=connector.min_instances,
            max_instances=connector.max_instances,
            opts=child,
        )

        key = args.settings_key
        provenance.declare(network, {"": key})
        provenance.declare(address, {"": f"{key}.privateServicesRange"})
        provenance.declare(self.private_services_connection, {"": f"{key}.privateServicesRange"})
        provenance.declare(vpc_connector, {"": f"{key}.connector", "region": "gcp:region"})

        self.network_id = network.id
        self.connector_id = vpc_connector.id
        self.register_outputs({"networkId": network.id, "connectorId": vpc_connector.id})

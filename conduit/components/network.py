"""The VPC network, private services access for Cloud SQL, and the egress path into it: the VPC
Access connector, or the subnet of Direct VPC egress."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.options import child_options
from conduit.components.wiring import VpcEgress
from conduit.core.settings import NetworkSettings


@dataclass(frozen=True)
class NetworkArgs:
    """What the network needs: its settings and the region of the service it serves."""

    settings: NetworkSettings
    region: str
    settings_key: str = "conduit:network"


class Network(pulumi.ComponentResource):
    """A custom-mode VPC with private services access, and a connector sized from the settings or
    a subnet for Direct VPC egress."""

    network_id: pulumi.Output[str]
    """The VPC network's id, for Cloud SQL's private network."""
    egress: VpcEgress
    """What Cloud Run's vpcAccess names: the connector or the subnet."""
    connector_id: pulumi.Output[str] | None
    """`projects/{project}/locations/{region}/connectors/{name}`; None with Direct VPC egress."""
    subnet_id: pulumi.Output[str] | None
    """`projects/{project}/regions/{region}/subnetworks/{name}`; None with the connector."""
    private_services_connection: gcp.servicenetworking.Connection
    """The peering Cloud SQL's private IP depends on."""

    def __init__(self, name: str, args: NetworkArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:network:Network", name, {}, opts)
        child = child_options(self, opts)

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
        key = args.settings_key
        provenance.declare(network, {"": key})
        provenance.declare(address, {"": f"{key}.privateServicesRange"})
        provenance.declare(self.private_services_connection, {"": f"{key}.privateServicesRange"})
        self.network_id = network.id
        self.connector_id = self.subnet_id = None
        if args.settings.subnet is not None:
            subnet = gcp.compute.Subnetwork(
                f"{name}-egress-subnet",
                name=args.settings.subnet.name,
                region=args.region,
                network=network.id,
                ip_cidr_range=args.settings.subnet.ip_cidr_range,
                # Google's APIs stay reachable from instances without external addresses.
                private_ip_google_access=True,
                # Who reached the database stays on record (compute-subnet-flow-logs).
                log_config=gcp.compute.SubnetworkLogConfigArgs(
                    aggregation_interval="INTERVAL_5_SEC",
                    flow_sampling=0.5,
                    metadata="INCLUDE_ALL_METADATA",
                ),
                opts=child,
            )
            provenance.declare(subnet, {"": f"{key}.subnet", "region": "gcp:region"})
            self.subnet_id = subnet.id
            self.egress = VpcEgress(f"{key}.subnet", network=network.name, subnetwork=subnet.name)
        elif (connector := args.settings.connector) is not None:
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
            provenance.declare(vpc_connector, {"": f"{key}.connector", "region": "gcp:region"})
            self.connector_id = vpc_connector.id
            self.egress = VpcEgress(f"{key}.connector", connector_id=vpc_connector.id)
        self.register_outputs(
            {
                "networkId": network.id,
                **({"connectorId": self.connector_id} if self.connector_id else {}),
                **({"subnetId": self.subnet_id} if self.subnet_id else {}),
            }
        )

"""Memorystore for Redis on the stack's VPC through private services access."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.options import child_options
from conduit.core import facts
from conduit.core.settings import RedisSettings


@dataclass(frozen=True)
class RedisArgs:
    """The instance's settings and the network it is private to."""

    settings: RedisSettings
    instance_id: str
    region: str
    network_id: pulumi.Input[str]
    private_services_connection: pulumi.Resource
    """Private services access needs the servicenetworking peering first."""
    settings_key: str = "conduit:redis"
    persistent: bool = False
    """RDB snapshots every hour (production): a restart or failover keeps the data. Memorystore
    for Redis has no deletion protection field; the program protects the instance instead."""


class Redis(pulumi.ComponentResource):
    """Reachable only inside the VPC, with AUTH and TLS unless the settings turn them off."""

    host: pulumi.Output[str]
    port: pulumi.Output[int]
    ca_certificate: pulumi.Output[str]
    """The server's CA (PEM), what a TLS client verifies the server with; "" without TLS."""
    auth_string: pulumi.Output[str] | None
    """The AUTH string, a secret output; None when AUTH is off."""

    def __init__(self, name: str, args: RedisArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:redis:Redis", name, {}, opts)
        redis = args.settings
        instance = gcp.redis.Instance(
            f"{name}-redis",
            name=args.instance_id,
            tier=redis.tier,
            memory_size_gb=redis.memory_size_gb,
            redis_version=redis.version,
            region=args.region,
            authorized_network=args.network_id,
            connect_mode=facts.REDIS_CONNECT_MODE,
            auth_enabled=redis.auth_enabled,
            transit_encryption_mode=redis.transit_encryption,
            persistence_config=(
                gcp.redis.InstancePersistenceConfigArgs(
                    persistence_mode="RDB", rdb_snapshot_period="ONE_HOUR"
                )
                if args.persistent
                else None
            ),
            opts=ResourceOptions.merge(
                child_options(self, opts, [args.private_services_connection]),
                ResourceOptions(protect=args.persistent),
            ),
        )
        key = args.settings_key
        provenance.declare(
            instance,
            {
                "": key,
                "tier": f"{key}.tier",
                "memorySizeGb": f"{key}.memorySizeGb",
                "redisVersion": f"{key}.version",
                "region": "gcp:region",
                "authEnabled": f"{key}.authEnabled",
                "transitEncryptionMode": f"{key}.transitEncryption",
                "authorizedNetwork": "conduit:network",
            },
        )
        self.host = instance.host
        self.port = instance.port
        self.ca_certificate = instance.server_ca_certs.apply(
            lambda certs: certs[0].cert if certs else ""  # type: ignore[arg-type,return-value]
        )
        self.auth_string = (
            pulumi.Output.secret(instance.auth_string) if redis.auth_enabled else None
        )
        self.register_outputs({"host": instance.host, "port": instance.port})

"""What a client of the database needs, handed to services and jobs as plain values and outputs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from conduit.components.secrets import SecretRef
from conduit.core.settings import DATABASE_PASSWORD_ENV

PASSWORD_ENV = DATABASE_PASSWORD_ENV
REDIS_AUTH_ENV = "REDIS_AUTH"


@dataclass(frozen=True)
class DatabaseWiring:
    """The `DATABASE_*` env contract of one client: where the database is, the client's own user,
    its password by reference only."""

    host: pulumi.Input[str]
    name: pulumi.Input[str]
    user: pulumi.Input[str] | None
    """The client's own database user; None for a client that does not log in."""
    connection_name: pulumi.Input[str]
    """`project:region:instance`, for clients that use the Cloud SQL connectors."""
    password: SecretRef | None
    """The secret of the user's password; None when the client does not read it."""
    ca_certificate: pulumi.Input[str] | None = None
    """The instance's server CA, from its own output: clients verify the server before they send
    the password."""

    def plain_env(self) -> dict[str, pulumi.Input[str]]:
        """The env vars that carry no secret."""
        env = {"DATABASE_HOST": self.host, "DATABASE_NAME": self.name}
        if self.user is not None:
            env["DATABASE_USER"] = self.user
        env["CLOUD_SQL_CONNECTION_NAME"] = self.connection_name
        if self.ca_certificate is not None:
            env["DATABASE_CA_CERT"] = self.ca_certificate
        return env


@dataclass(frozen=True)
class RedisWiring:
    """The `REDIS_*` env contract: where Redis is, whether it speaks TLS and with which CA, the
    AUTH string by reference only."""

    host: pulumi.Input[str]
    port: pulumi.Input[int]
    tls: bool
    ca_certificate: pulumi.Input[str]
    auth: SecretRef | None
    """None when the instance has AUTH off."""

    def plain_env(self) -> dict[str, pulumi.Input[str]]:
        """The env vars that carry no secret."""
        env: dict[str, pulumi.Input[str]] = {
            "REDIS_HOST": self.host,
            "REDIS_PORT": pulumi.Output.from_input(self.port).apply(str),
            "REDIS_TLS": "true" if self.tls else "false",
        }
        if self.tls:
            env["REDIS_CA_CERT"] = self.ca_certificate
        return env


@dataclass(frozen=True)
class VpcEgress:
    """How a service or job reaches the VPC: through the connector, or Direct VPC egress with
    addresses from the subnet. Exactly one of `connector_id` and `subnetwork` is set."""

    settings_key: str
    """The settings block of the path (`conduit:network.connector` or `.subnet`)."""
    connector_id: pulumi.Input[str] | None = None
    """`projects/{project}/locations/{region}/connectors/{name}`."""
    network: pulumi.Input[str] | None = None
    subnetwork: pulumi.Input[str] | None = None

    @property
    def direct(self) -> bool:
        return self.subnetwork is not None

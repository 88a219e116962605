"""What a client of the database needs, handed to services and jobs as plain values and outputs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from conduit.components.secrets import SecretRef

PASSWORD_ENV = "DATABASE_PASSWORD"


@dataclass(frozen=True)
class DatabaseWiring:
    """The `DATABASE_*` env contract: where the database is, who connects, the password by
    reference only."""

    host: pulumi.Input[str]
    name: pulumi.Input[str]
    user: pulumi.Input[str]
    connection_name: pulumi.Input[str]
    """`project:region:instance`, for clients that use the Cloud SQL connectors."""
    password: SecretRef

    def plain_env(self) -> dict[str, pulumi.Input[str]]:
        """The env vars that carry no secret."""
        return {
            "DATABASE_HOST": self.host,
            "DATABASE_NAME": self.name,
            "DATABASE_USER": self.user,
            "CLOUD_SQL_CONNECTION_NAME": self.connection_name,
        }

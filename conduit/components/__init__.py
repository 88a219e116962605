"""The Pulumi components of the Conduit stack: typed args in, never pulumi.Config().

The public API for a program of its own (examples/components/__main__.py): each component takes
its settings model (validated pydantic, camelCase keys as in a stack file, or snake_case) and the
outputs of the others, and registers its children under itself.

- `Network(name, NetworkArgs(settings, region))`: the VPC, private services access, and the
  connector (or the Direct VPC subnet); `network_id`, `egress`, `private_services_connection`.
- `Database(name, DatabaseArgs(settings, region, network_id, private_services_connection))`:
  Cloud SQL on its private IP only, TLS, backups, deletion protection, one built-in user per
  client (`users=`, `DatabaseUserArgs`); `private_ip`, `connection_name`, `database_name`,
  `users` (label -> name and secret password), `user_name` and `password` (the first user's).
- `Secrets(name, SecretsArgs(secret_ids, values))`: Secret Manager secrets with versions;
  `refs` (env name -> `SecretRef`) for the services.
- `Service(name, ServiceArgs(settings, region, vpc, database, secrets))`: the Cloud Run v2
  service with its own service account, probes, env by `DatabaseWiring` and secrets by reference.
"""

from conduit.components.database import Database, DatabaseArgs, DatabaseUserArgs
from conduit.components.network import Network, NetworkArgs
from conduit.components.secrets import SecretRef, Secrets, SecretsArgs
from conduit.components.service import Service, ServiceArgs
from conduit.components.wiring import DatabaseWiring, RedisWiring
from conduit.core.settings import DatabaseSettings, NetworkSettings, ServiceSettings

__all__ = [
    "Database",
    "DatabaseArgs",
    "DatabaseSettings",
    "DatabaseUserArgs",
    "DatabaseWiring",
    "Network",
    "NetworkArgs",
    "NetworkSettings",
    "RedisWiring",
    "SecretRef",
    "Secrets",
    "SecretsArgs",
    "Service",
    "ServiceArgs",
    "ServiceSettings",
]

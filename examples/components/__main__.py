"""A program of its own that builds a service, a database and a connector with Conduit's
components (their public API: `conduit.components`), from typed settings and no Conduit stack
file. `conduit preview --cwd examples/components --stack dev` judges it (as
tests/components/test_components_api.py does)."""

import pulumi

from conduit.components import (
    Database,
    DatabaseArgs,
    DatabaseSettings,
    DatabaseWiring,
    Network,
    NetworkArgs,
    NetworkSettings,
    Secrets,
    SecretsArgs,
    Service,
    ServiceArgs,
    ServiceSettings,
)

REGION = pulumi.Config("gcp").require("region")

network = Network(
    "shop",
    NetworkArgs(
        settings=NetworkSettings.model_validate(
            {
                "connector": {"name": "shop-connector", "ipCidrRange": "10.8.0.0/28"},
                "privateServicesRange": "10.60.0.0/16",
            }
        ),
        region=REGION,
    ),
)
database = Database(
    "shop",
    DatabaseArgs(
        settings=DatabaseSettings.model_validate({"tier": "db-custom-2-7680"}),
        region=REGION,
        network_id=network.network_id,
        private_services_connection=network.private_services_connection,
    ),
)
# The generated password reaches the service by reference only, through Secret Manager.
secrets = Secrets(
    "shop",
    SecretsArgs(
        secret_ids={"DATABASE_PASSWORD": "shop-db-password"},
        values={"DATABASE_PASSWORD": database.password},
    ),
)
service = Service(
    "shop-api",
    ServiceArgs(
        settings=ServiceSettings.model_validate(
            {
                "name": "shop-api",
                "image": "us-docker.pkg.dev/cloudrun/container/hello",
                "maxInstances": 10,
                "databasePool": {"size": 10, "maxOverflow": 5},
                "databaseInitTimeoutSeconds": 30,
                # Private: reached by other services or an internal load balancer only.
                "ingress": "INGRESS_TRAFFIC_INTERNAL_ONLY",
            }
        ),
        region=REGION,
        vpc=network.egress,
        database=DatabaseWiring(
            host=database.private_ip,
            name=database.database_name,
            user=database.user_name,
            connection_name=database.connection_name,
            password=secrets.refs["DATABASE_PASSWORD"],
        ),
        secrets={},
    ),
)

pulumi.export("url", service.uri)

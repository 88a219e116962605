"""Each component built on its own under the SDK mock runtime, asserted through its outputs."""

from __future__ import annotations

import pulumi
import pytest

from conduit.components.database import Database, DatabaseArgs, DatabaseUserArgs
from conduit.components.network import Network, NetworkArgs
from conduit.components.secrets import SecretRef, Secrets, SecretsArgs
from conduit.components.service import Service, ServiceArgs
from conduit.components.wiring import DatabaseWiring, VpcEgress
from conduit.core.loader import parse_settings
from conduit.preview import sdk
from conduit.preview.mocks import GcpMocks
from conduit.preview.runner import RecordingMonitor
from tests.support.project import stack_config

SETTINGS = parse_settings(stack_config(), "Pulumi.staging.yaml")
SERVICES = {s.name: s for s in SETTINGS.services.values()}
REGION = SETTINGS.region
CONNECTOR = VpcEgress(
    "conduit:network.connector", connector_id="projects/p/locations/r/connectors/c"
)


@pytest.fixture(autouse=True)
def monitor() -> RecordingMonitor:
    recording = RecordingMonitor(GcpMocks(SETTINGS.project, REGION))
    # Other tests in this process may have run asyncio.run, which leaves no current loop.
    sdk.ensure_event_loop()
    pulumi.runtime.set_mocks(recording.mocks, project="conduit", stack="unit", monitor=recording)
    return recording


def _props(monitor: RecordingMonitor, type_: str) -> tuple[str, dict]:
    from google.protobuf import json_format

    (record,) = [r for r in monitor.records if r.type == type_]
    return record.urn, json_format.MessageToDict(record.outputs)


@pulumi.runtime.test
def test_network_outputs_the_connector_id(monitor) -> None:
    network = Network("unit", NetworkArgs(SETTINGS.network, REGION))

    def check(values: list[str]) -> None:
        connector_id, network_id = values
        urn, connector = _props(monitor, "gcp:vpcaccess/connector:Connector")
        assert (
            connector_id == f"projects/acme-staging/locations/{REGION}/connectors/staging-connector"
        ), urn
        assert network_id.startswith("projects/acme-staging/global/networks/"), urn
        assert connector["network"] == network_id.rsplit("/", 1)[-1], urn

    return pulumi.Output.all(network.connector_id, network.network_id).apply(check)


@pulumi.runtime.test
def test_database_outputs_private_address_and_a_secret_password(monitor) -> None:
    network = Network("unit", NetworkArgs(SETTINGS.network, REGION))
    database = Database(
        "unit",
        DatabaseArgs(
            SETTINGS.database, REGION, network.network_id, network.private_services_connection
        ),
    )

    def check(values: list) -> None:
        connection_name, private_ip, name, user, password_is_secret = values
        urn, instance = _props(monitor, "gcp:sql/databaseInstance:DatabaseInstance")
        assert connection_name == f"acme-staging:{REGION}:{instance['name']}", urn
        assert private_ip == "10.60.0.3", urn
        assert instance["publicIpAddress"] == "", f"{urn} has a public address"
        assert (name, user) == ("app", "app"), urn
        assert password_is_secret, f"{urn}: the password output is not secret"

    return pulumi.Output.all(
        database.connection_name,
        database.private_ip,
        database.database_name,
        database.user_name,
        pulumi.Output.from_input(database.password.is_secret()),
    ).apply(check)


@pulumi.runtime.test
def test_database_gives_each_client_its_own_user_and_password(monitor) -> None:
    network = Network("unit", NetworkArgs(SETTINGS.network, REGION))
    database = Database(
        "unit",
        DatabaseArgs(
            SETTINGS.database,
            REGION,
            network.network_id,
            network.private_services_connection,
            users=(
                DatabaseUserArgs("backend", "app_backend"),
                DatabaseUserArgs("probe", "app_probe"),
            ),
        ),
    )
    backend, probe = database.users["backend"], database.users["probe"]

    def check(values: list) -> None:
        backend_name, probe_name, backend_secret, probe_secret = values
        assert (backend_name, probe_name) == ("app_backend", "app_probe")
        assert backend_secret and probe_secret, "a user's password output is not secret"
        users = {r.name: r for r in monitor.records if r.type == "gcp:sql/user:User"}
        passwords = [r.name for r in monitor.records if r.type.endswith("RandomPassword")]
        assert sorted(users) == ["unit-backend-user", "unit-probe-user"]
        # One password each: never one shared by two users.
        assert sorted(passwords) == ["unit-backend-password", "unit-probe-password"]
        assert all(u.inputs["password"] for u in users.values())

    return pulumi.Output.all(
        backend.name,
        probe.name,
        pulumi.Output.from_input(backend.password.is_secret()),
        pulumi.Output.from_input(probe.password.is_secret()),
    ).apply(check)


@pulumi.runtime.test
def test_a_client_with_no_user_gets_neither_database_user_nor_password(monitor) -> None:
    wiring = DatabaseWiring("10.0.0.3", "app", None, "p:r:i", None)
    service = Service("unit-auth", ServiceArgs(SERVICES["auth"], REGION, CONNECTOR, wiring, {}))

    def check(_: str) -> None:
        (record,) = [r for r in monitor.records if r.type == "gcp:cloudrunv2/service:Service"]
        envs = {e["name"] for e in record.inputs["template"]["containers"][0]["envs"]}
        assert {"DATABASE_HOST", "DATABASE_NAME"} <= envs
        assert not {"DATABASE_USER", "DATABASE_PASSWORD"} & envs
        assert not [r for r in monitor.records if r.type.endswith("SecretIamMember")]

    return service.uri.apply(check)


@pulumi.runtime.test
def test_secrets_generate_missing_values_one_secret_per_id(monitor) -> None:
    secrets = Secrets(
        "unit",
        SecretsArgs(
            secret_ids={"API_KEY": "api-key", "API_TOKEN": "api-key"}, external_ids={"X": "ext"}
        ),
    )

    def check(values: list[str]) -> None:
        assert values[:2] == ["api-key", "api-key"]
        types = sorted(r.type for r in monitor.records if r.custom)
        assert types == [
            "gcp:secretmanager/secret:Secret",
            "gcp:secretmanager/secretVersion:SecretVersion",
            "random:index/randomPassword:RandomPassword",
        ]
        assert secrets.secret_ids == {"API_KEY": "api-key", "API_TOKEN": "api-key", "X": "ext"}
        assert secrets.refs["X"].version is None
        assert secrets.refs["API_KEY"].version is secrets.refs["API_TOKEN"].version

    refs = secrets.refs
    return pulumi.Output.all(
        refs["API_KEY"].reference, refs["API_TOKEN"].reference, refs["API_KEY"].version.id
    ).apply(check)


def test_two_values_for_one_secret_are_refused_without_echoing_them(monitor) -> None:
    with pytest.raises(ValueError) as caught:
        Secrets(
            "unit",
            SecretsArgs(
                secret_ids={"A": "shared", "B": "shared"},
                values={"A": "s3cret-a", "B": "s3cret-b"},
            ),
        )
    assert str(caught.value) == (
        "conduit:secretValues: A and B both set a value for secret shared; set it under one name"
    )


def _wiring(password: SecretRef) -> DatabaseWiring:
    return DatabaseWiring("10.0.0.3", "app", "app", "p:r:i", password)


@pulumi.runtime.test
def test_services_share_secrets_each_with_its_own_account_and_grants(monitor) -> None:
    secrets = Secrets(
        "unit",
        SecretsArgs(
            secret_ids={"JWT_SECRET_KEY": "jwt-secret-key", "DATABASE_PASSWORD": "pw"},
            external_ids={"E": "e"},
        ),
    )
    wiring = _wiring(secrets.refs["DATABASE_PASSWORD"])
    shared = {n: secrets.refs[n] for n in ("JWT_SECRET_KEY", "E")}
    backend = Service(
        "unit-backend",
        ServiceArgs(SERVICES["backend"], REGION, CONNECTOR, wiring, shared),
    )
    auth_settings = SERVICES["auth"]
    auth = Service(
        "unit-auth",
        ServiceArgs(
            auth_settings,
            REGION,
            CONNECTOR,
            wiring,
            {"JWT_SECRET_KEY": secrets.refs["JWT_SECRET_KEY"]},
        ),
    )

    def check(values: list[str]) -> None:
        backend_uri, backend_email, auth_email, _ = values
        services = {
            r.name: r for r in monitor.records if r.type == "gcp:cloudrunv2/service:Service"
        }
        assert sorted(services) == ["unit-auth-service", "unit-backend-service"]
        props = services["unit-backend-service"].inputs
        assert backend_uri.startswith("https://backend-") and backend_uri.endswith(".run.app")
        assert props["template"]["serviceAccount"] == backend_email
        assert backend_email == "backend-run@acme-staging.iam.gserviceaccount.com"
        assert auth_email == "auth-run@acme-staging.iam.gserviceaccount.com"
        envs = {
            e["name"]
            for e in services["unit-auth-service"].inputs["template"]["containers"][0]["envs"]
        }
        # auth's requiredEnv does not read the password: it gets no reference and no grant.
        assert "JWT_SECRET_KEY" in envs and not {"E", "DATABASE_PASSWORD"} & envs
        grants = {
            r.name: (r.inputs["secretId"], r.inputs["member"])
            for r in monitor.records
            if r.type.endswith("SecretIamMember")
        }
        project = "projects/acme-staging/secrets"
        assert grants == {
            "unit-backend-e-accessor": ("e", f"serviceAccount:{backend_email}"),
            "unit-backend-jwt-secret-key-accessor": (
                f"{project}/jwt-secret-key",
                f"serviceAccount:{backend_email}",
            ),
            "unit-backend-pw-accessor": (f"{project}/pw", f"serviceAccount:{backend_email}"),
            "unit-auth-jwt-secret-key-accessor": (
                f"{project}/jwt-secret-key",
                f"serviceAccount:{auth_email}",
            ),
        }

    # Waiting for both services' URLs: each is registered after its grants.
    return pulumi.Output.all(
        backend.uri, backend.service_account_email, auth.service_account_email, auth.uri
    ).apply(check)

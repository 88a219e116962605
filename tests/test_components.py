"""Each component built on its own under the SDK mock runtime, asserted through its outputs."""

from __future__ import annotations

import pulumi
import pytest

from conduit.components.database import Database, DatabaseArgs
from conduit.components.network import Network, NetworkArgs
from conduit.components.secrets import Secrets, SecretsArgs
from conduit.components.service import Service, ServiceArgs
from conduit.core.loader import parse_settings
from conduit.preview.mocks import GcpMocks
from conduit.preview.runner import RecordingMonitor
from tests.conftest import stack_config

SETTINGS = parse_settings(stack_config(), "Pulumi.staging.yaml")
REGION = SETTINGS.region


@pytest.fixture(autouse=True)
def monitor() -> RecordingMonitor:
    recording = RecordingMonitor(GcpMocks(SETTINGS.project, REGION))
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


@pulumi.runtime.test
def test_service_outputs_its_url_and_its_own_account(monitor) -> None:
    secrets = Secrets(
        "unit",
        SecretsArgs(secret_ids={"JWT_SECRET_KEY": "jwt-secret-key"}, external_ids={"E": "e"}),
    )
    service = Service(
        "unit",
        ServiceArgs(
            SETTINGS.service,
            REGION,
            "projects/p/locations/r/connectors/c",
            "p:r:i",
            "10.0.0.3",
            "app",
            "app",
            secrets.refs,
        ),
    )

    def check(values: list[str]) -> None:
        uri, email = values
        urn, props = _props(monitor, "gcp:cloudrunv2/service:Service")
        assert uri.startswith("https://backend-") and uri.endswith(".run.app"), urn
        assert props["template"]["serviceAccount"] == email, urn
        assert email == "backend-run@acme-staging.iam.gserviceaccount.com", urn
        members = [r for r in monitor.records if r.type.endswith("SecretIamMember")]
        assert sorted(r.name for r in members) == [
            "unit-e-accessor",
            "unit-jwt-secret-key-accessor",
        ]
        targets = sorted(r.inputs["secretId"] for r in members)
        assert targets == ["e", "projects/acme-staging/secrets/jwt-secret-key"]

    return pulumi.Output.all(service.uri, service.service_account_email).apply(check)

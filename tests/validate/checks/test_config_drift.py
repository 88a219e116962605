"""The `config-drift` check in-process (conduit/validate/checks/config_drift.py): the deployed
egress path (connector or Direct VPC), services and database match the stack's settings. Whole
findings asserted, against the fake Google APIs and real servers."""

from __future__ import annotations

import dataclasses

import pytest
from google.cloud import run_v2

from conduit.core.failures import FailureClass
from conduit.core.loader import parse_settings
from conduit.report.model import Finding, Outcome
from conduit.validate.checks import config_drift
from tests.support.checks import SETTINGS, SUBNET_ID, context
from tests.support.google_stack import CONNECTOR, INSTANCE, PROJECT, REGION, SERVICE
from tests.support.project import stack_config

DIRECT_SETTINGS = dataclasses.replace(
    SETTINGS,
    network=parse_settings(stack_config("staging-direct"), "Pulumi.staging-direct.yaml").network,
)


def test_a_stack_deployed_as_declared_has_no_drift(google) -> None:
    _, endpoint = google
    assert config_drift.run(context(endpoint)) == [
        Finding(
            rule="config-drift",
            outcome=Outcome.PASS,
            message="connector, service and database match the stack",
        )
    ]


def test_every_drifted_field_is_named_with_both_values(google) -> None:
    fake, endpoint = google
    fake.objects[CONNECTOR].machine_type = "e2-micro"
    fake.objects[CONNECTOR].ip_cidr_range = "10.9.0.0/28"
    template = fake.objects[SERVICE].template
    template.scaling.max_instance_count = 40
    template.scaling.min_instance_count = 0
    template.max_instance_request_concurrency = 10
    template.timeout = {"seconds": 60}
    template.vpc_access.egress = run_v2.VpcAccess.VpcEgress.ALL_TRAFFIC
    template.containers[0].env = [run_v2.EnvVar(name="DATABASE_POOL_SIZE", value="50")]
    settings = fake.objects[f"projects/{PROJECT}/instances/{INSTANCE}"]["settings"]
    settings.update(
        tier="db-g1-small",
        availabilityType="REGIONAL",
        databaseFlags=[],
        deletionProtectionEnabled=False,
        ipConfiguration={"ipv4Enabled": True},
        backupConfiguration={"enabled": False, "pointInTimeRecoveryEnabled": False},
    )
    drift = [
        "service backend maxInstances: deployed 40, declared 10",
        "service backend minInstances: deployed 0, declared 1",
        "service backend concurrency: deployed 10, declared 80",
        "service backend requestTimeoutSeconds: deployed 60, declared 300",
        "service backend egress: deployed 'ALL_TRAFFIC', declared 'PRIVATE_RANGES_ONLY'",
        "service backend databasePool.size: deployed '50', declared '20'",
        "service backend databaseInitTimeoutSeconds: deployed None, declared '75'",
        "connector machineType: deployed 'e2-micro', declared 'e2-standard-4'",
        "connector ipCidrRange: deployed '10.9.0.0/28', declared '10.8.0.0/28'",
        "database tier: deployed 'db-g1-small', declared 'db-custom-2-7680'",
        "database availability: deployed 'REGIONAL', declared 'ZONAL'",
        "database maxConnections: deployed None, declared '400'",
        "database backups.enabled: deployed False, declared True",
        "database backups.pointInTimeRecovery: deployed False, declared True",
        "database deletionProtection: deployed False, declared True",
        "database ipv4Enabled: deployed True, declared False",
    ]
    assert config_drift.run(context(endpoint)) == [
        Finding(
            rule="config-drift",
            outcome=Outcome.FAIL,
            severity="high",
            classification=FailureClass.CONFIGURATION,
            message="; ".join(drift),
            evidence=tuple(drift),
            remediation="Run pulumi up from the committed stack file, or commit the change.",
        )
    ]


def test_a_revision_without_containers_or_timeout_on_another_connector_drifts(google) -> None:
    fake, endpoint = google
    template = fake.objects[SERVICE].template
    template.containers = []
    template.timeout = None
    template.vpc_access.connector = f"projects/{PROJECT}/locations/{REGION}/connectors/other"
    drift = [
        "service backend requestTimeoutSeconds: deployed None, declared 300",
        "service backend connector: deployed 'other', declared 'staging-connector'",
        "service backend databasePool.size: deployed None, declared '20'",
        "service backend databaseInitTimeoutSeconds: deployed None, declared '75'",
    ]
    assert config_drift.run(context(endpoint)) == [
        Finding(
            rule="config-drift",
            outcome=Outcome.FAIL,
            severity="high",
            classification=FailureClass.CONFIGURATION,
            message="; ".join(drift),
            evidence=tuple(drift),
            remediation="Run pulumi up from the committed stack file, or commit the change.",
        )
    ]


def _on_direct_vpc(fake, subnetwork: str = "staging-run-egress") -> dict:
    """The deployed service on Direct VPC egress, and settings that declare it."""
    fake.objects[SERVICE].template.vpc_access = run_v2.VpcAccess(
        network_interfaces=[
            run_v2.VpcAccess.NetworkInterface(network="staging-vpc", subnetwork=subnetwork)
        ],
        egress=run_v2.VpcAccess.VpcEgress.PRIVATE_RANGES_ONLY,
    )
    network = parse_settings(stack_config("staging-direct"), "Pulumi.staging-direct.yaml").network
    return {"settings": dataclasses.replace(SETTINGS, network=network)}


def test_a_direct_vpc_stack_as_declared_has_no_drift_and_no_connector_is_read(google) -> None:
    fake, endpoint = google
    direct = _on_direct_vpc(fake)
    ctx = context(endpoint, connector_id=None, subnet_id=SUBNET_ID, egress_path="direct", **direct)
    assert config_drift.run(ctx) == [
        Finding(
            rule="config-drift",
            outcome=Outcome.PASS,
            message="Direct VPC egress, service and database match the stack",
        )
    ]
    assert ("GET", f"/v1/{CONNECTOR}") not in fake.requests


def test_drift_names_the_deployed_network_interfaces(google) -> None:
    fake, endpoint = google
    direct = _on_direct_vpc(fake, subnetwork=f"projects/{PROJECT}/regions/{REGION}/subnetworks/x")
    ctx = context(endpoint, connector_id=None, subnet_id=SUBNET_ID, egress_path="direct", **direct)
    (finding,) = config_drift.run(ctx)
    assert finding.evidence == (
        "service backend subnet: deployed 'x', declared 'staging-run-egress'",
    )
    # Deployed on the connector while the stack file says Direct VPC: the path is the drift.
    fake.objects[SERVICE].template.vpc_access = run_v2.VpcAccess(
        connector=CONNECTOR, egress=run_v2.VpcAccess.VpcEgress.PRIVATE_RANGES_ONLY
    )
    (finding,) = config_drift.run(context(endpoint, subnet_id=SUBNET_ID, **direct))
    assert finding.evidence == (
        "service backend egressPath: deployed 'connector', declared 'direct'",
    )


def test_a_tier_default_max_connections_is_declared_as_absent(google) -> None:
    fake, endpoint = google
    fake.objects[f"projects/{PROJECT}/instances/{INSTANCE}"]["settings"]["databaseFlags"] = []
    database = SETTINGS.database.model_copy(update={"max_connections": None})
    settings = dataclasses.replace(SETTINGS, database=database)
    (finding,) = config_drift.run(context(endpoint, settings=settings))
    assert finding.outcome is Outcome.PASS


def test_without_a_connection_name_the_database_is_not_compared(google) -> None:
    fake, endpoint = google
    fake.objects[f"projects/{PROJECT}/instances/{INSTANCE}"]["settings"]["tier"] = "db-g1-small"
    (finding,) = config_drift.run(context(endpoint, sql_connection_name=None))
    assert finding.outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        (
            {"settings": None},
            "no stack file: give --stack (Pulumi.<stack>.yaml holds what is declared)",
        ),
        ({"services": ()}, "the outputs file o.json has no services"),
        ({"connector_id": None}, "the outputs file o.json has no connectorId"),
        (
            {"connector_id": None, "project": None},
            "the outputs file o.json has no project, connectorId",
        ),
        (
            {"connector_id": None, "region": None},
            "the outputs file o.json has no region, connectorId",
        ),
        # A Direct VPC stack names the subnet it lacks.
        (
            {"connector_id": None, "settings": DIRECT_SETTINGS},
            "the outputs file o.json has no subnetId",
        ),
    ],
)
def test_drift_needs_settings_a_service_and_a_connector(missing: dict, message: str) -> None:
    assert config_drift.run(context(source="o.json", **missing)) == [
        Finding(rule="config-drift", outcome=Outcome.SKIPPED, severity="low", message=message)
    ]


def test_drift_reports_an_api_failure(google) -> None:
    fake, endpoint = google
    fake.errors[CONNECTOR] = 403
    ((finding),) = config_drift.run(context(endpoint))
    assert (finding.rule, finding.outcome, finding.classification, finding.remediation) == (
        "config-drift",
        Outcome.FAIL,
        FailureClass.VALIDATOR_ACCESS,
        "Grant the validator's account `roles/run.viewer` and `roles/vpcaccess.viewer` and "
        "`roles/cloudsql.viewer`: the account that runs `conduit validate` (`gcloud auth list`; "
        "in a workflow, its service account).",
    )


def test_drift_names_an_app_s_required_env_the_revision_lacks(google) -> None:
    _, endpoint = google
    (key, service), *_ = SETTINGS.services.items()
    service = service.model_copy(update={"required_env": ("DATABASE_POOL_SIZE", "JWT_SECRET")})
    (finding,) = config_drift.run(
        context(endpoint, settings=dataclasses.replace(SETTINGS, services={key: service}))
    )
    assert finding.evidence == (
        "service backend requiredEnv JWT_SECRET: not set on the deployed revision",
    )


def test_database_drift_reads_an_instance_without_settings_as_all_absent(google) -> None:
    fake, endpoint = google
    fake.objects[f"projects/{PROJECT}/instances/{INSTANCE}"] = {"name": INSTANCE}
    (finding,) = config_drift.run(context(endpoint))
    assert finding.evidence == (
        "database tier: deployed None, declared 'db-custom-2-7680'",
        "database availability: deployed None, declared 'ZONAL'",
        "database maxConnections: deployed None, declared '400'",
        "database backups.enabled: deployed None, declared True",
        "database backups.pointInTimeRecovery: deployed None, declared True",
        "database deletionProtection: deployed None, declared True",
        "database ipv4Enabled: deployed None, declared False",
    )

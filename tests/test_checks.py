"""The validator's checks in-process: each judgement at its boundaries, each check against the
fake Google APIs and real HTTP servers, whole findings asserted. (test_validate.py drives the
same checks through the `conduit validate` command.)"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from google.cloud import run_v2, secretmanager, vpcaccess_v1

from conduit.core.failures import CUT, FailureClass, classify_window
from conduit.core.loader import parse_settings
from conduit.core.settings import SuccessCriteria
from conduit.probe.burst import Attempt, Failure, ProbeResult
from conduit.probe.postgres import parse_dsn
from conduit.report.model import Finding, Outcome
from conduit.validate import identity
from conduit.validate.checks import (
    config_drift,
    connector_scaling,
    database_connect,
    health_endpoints,
    redis_connect,
    secrets_resolvable,
    service_ready,
    service_startup_rate,
    startup_storm,
)
from conduit.validate.context import Context
from conduit.validate.deadline import Deadline
from conduit.validate.google import API_DOWN, NOT_FOUND, GoogleClients
from conduit.validate.run import route_by_reachable_dependencies
from conduit.validate.storm import CloudRunStorm, LocalStorm, StormResult, Task
from conduit.validate.targets import (
    ServiceTarget,
    Targets,
    TargetsError,
    from_outputs,
    with_service_urls,
)
from tests.conftest import single_service_config, stack_config
from tests.fake_token_endpoint import FakeTokenEndpoint
from tests.google_support import (
    CONNECTOR,
    INSTANCE,
    PROBE_FAILED,
    PROJECT,
    REGION,
    SECRETS,
    SERVICE,
    STARTED,
    healthy_google,
    log_entry,
)
from tests.http_servers import StandIn

# The staging stack as a one-service stack file: what the fake Google APIs serve.
SETTINGS = parse_settings(single_service_config(), "Pulumi.staging.yaml")
DIRECT_SETTINGS = dataclasses.replace(
    SETTINGS,
    network=parse_settings(stack_config("staging-direct"), "Pulumi.staging-direct.yaml").network,
)
CRITERIA = SuccessCriteria.model_validate(
    {
        "connectorScalingLatencySeconds": 10,
        "databaseConnectSeconds": 30,
        "concurrentConnections": 20,
        "startupSuccessRate": 0.9,
    }
)


@pytest.fixture(autouse=True)
def no_google_credentials(monkeypatch) -> None:
    """No test here may reach Google: without a key file, an http URL asks no one for a token."""
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)


def context(endpoint: str | None = None, **targets) -> Context:
    """A run's context for the staging stack as deployed; `targets` replace any target."""
    fields = {
        "stack": "staging",
        "criteria": CRITERIA,
        "project": PROJECT,
        "region": REGION,
        "services": (ServiceTarget("backend"),),
        "connector_id": CONNECTOR,
        "secret_ids": SECRETS,
        "sql_connection_name": f"{PROJECT}:{REGION}:{INSTANCE}",
        "settings": SETTINGS,
        **targets,
    }
    return Context(targets=Targets(**fields), deadline=Deadline(60), google=GoogleClients(endpoint))


# classification from a whole window


def test_a_slow_503_cut_by_the_deadline_is_still_the_application_s() -> None:
    """The app answers 503 after 2.6 s each time; in a 7 s window two 503s arrive and the
    deadline cuts the third attempt: the app's own answers decide, not the cut."""
    assert classify_window(["application", "application", CUT]) == "application"
    assert classify_window(["infrastructure", "configuration", CUT]) == "configuration"
    assert classify_window([CUT]) == "infrastructure"
    assert classify_window(["infrastructure", "application"]) == "application"


def test_a_probe_s_failures_are_classified_together_not_by_the_most_common() -> None:
    timeout = Failure("timeout", FailureClass.INFRASTRUCTURE, "timed out")
    refused = Failure(
        "authentication", FailureClass.CONFIGURATION, "password authentication failed"
    )
    attempts = [Attempt(0.0, failure=timeout)] * 3 + [Attempt(0.0, failure=refused)]
    assert ProbeResult("db", 4, 1.0, 1.0, attempts).classification() == FailureClass.CONFIGURATION
    assert (
        ProbeResult("db", 3, 1.0, 1.0, attempts[:3]).classification() == FailureClass.INFRASTRUCTURE
    )
    ok = Attempt(0.0, connect=0.1, query=0.01)
    assert ProbeResult("db", 1, 1.0, 1.0, [ok]).classification() == ""


# service-ready


def test_service_names_need_project_region_and_name() -> None:
    assert service_ready.service_names(context()) == [SERVICE]
    for missing in ({"project": None}, {"region": None}, {"services": (ServiceTarget(None),)}):
        assert service_ready.service_names(context(**missing)) == []


def test_a_ready_service_serving_its_latest_revision_passes(google) -> None:
    _, endpoint = google
    assert service_ready.run(context(endpoint)) == [
        Finding(
            rule="service-ready",
            outcome=Outcome.PASS,
            subject=SERVICE,
            figures={
                "state": "CONDITION_SUCCEEDED",
                "latestCreated": "backend-00002",
                "latestReady": "backend-00002",
                "traffic": {"backend-00002": 100},
            },
            message="Ready; revision backend-00002 serves 100%",
        )
    ]


def test_a_latest_revision_that_is_not_ready_and_takes_no_traffic_fails(google) -> None:
    fake, endpoint = google
    service = fake.objects[SERVICE]
    service.latest_created_revision = f"{SERVICE}/revisions/backend-00003"
    service.terminal_condition.state = run_v2.Condition.State.CONDITION_FAILED
    service.terminal_condition.message = "Revision 'backend-00003' is not ready"
    (finding,) = service_ready.run(context(endpoint))
    assert finding == Finding(
        rule="service-ready",
        outcome=Outcome.FAIL,
        subject=SERVICE,
        severity="critical",
        classification=FailureClass.INFRASTRUCTURE,
        figures={
            "state": "CONDITION_FAILED",
            "latestCreated": "backend-00003",
            "latestReady": "backend-00002",
            "traffic": {"backend-00002": 100},
        },
        message=(
            "terminal condition Ready is CONDITION_FAILED: Revision 'backend-00003' is not "
            "ready; latest created revision backend-00003 is not ready (ready: backend-00002); "
            "latest revision backend-00003 serves no traffic ({'backend-00002': 100})"
        ),
        remediation="Read the revision's start-up logs; see health-endpoints.",
    )


def test_a_ready_latest_revision_with_no_traffic_fails_alone(google) -> None:
    fake, endpoint = google
    fake.objects[SERVICE].traffic_statuses = [
        run_v2.TrafficTargetStatus(revision="backend-00001", percent=100),
        run_v2.TrafficTargetStatus(revision="backend-00002", percent=0),
    ]
    (finding,) = service_ready.run(context(endpoint))
    assert (finding.outcome, finding.message) == (
        Outcome.FAIL,
        "latest revision backend-00002 serves no traffic "
        "({'backend-00001': 100, 'backend-00002': 0})",
    )


def test_traffic_to_latest_without_a_revision_name_counts_for_the_ready_one(google) -> None:
    fake, endpoint = google
    fake.objects[SERVICE].traffic_statuses = [run_v2.TrafficTargetStatus(percent=1)]
    (finding,) = service_ready.run(context(endpoint))
    assert (finding.outcome, finding.figures["traffic"]) == (Outcome.PASS, {"backend-00002": 1})


def test_service_ready_reports_an_api_refusal_as_the_validator_s_access(google) -> None:
    fake, endpoint = google
    fake.errors[SERVICE] = 403
    (finding,) = service_ready.run(context(endpoint))
    # The client library's message names the local URL (its port changes): matched, not pinned.
    assert finding.message.startswith(f"permission denied: GET {endpoint}/v2/{SERVICE}?")
    assert "injected 403 for " in finding.message
    assert finding == Finding(
        rule="service-ready",
        outcome=Outcome.FAIL,
        subject=SERVICE,
        severity="high",
        classification=FailureClass.VALIDATOR_ACCESS,
        message=finding.message,
        remediation=(
            "Grant the validator's account `roles/run.viewer`: the account that runs `conduit "
            "validate` (`gcloud auth list`; in a workflow, its service account)."
        ),
    )


def test_a_404_from_google_is_configuration_with_its_own_remedy(google) -> None:
    fake, endpoint = google
    fake.errors[SERVICE] = 404
    (finding,) = service_ready.run(context(endpoint))
    assert (finding.classification, finding.remediation) == (FailureClass.CONFIGURATION, NOT_FOUND)
    fake.errors[SERVICE] = 503
    (down,) = service_ready.run(context(endpoint))
    assert (down.classification, down.remediation) == (FailureClass.INFRASTRUCTURE, API_DOWN)


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"services": ()}, "no stack outputs were read (--outputs or --stack), so no services"),
        (
            {"project": None, "region": None, "source": "o.json"},
            "the outputs file o.json has no project, region",
        ),
        (
            {"region": None, "source": "stack staging"},
            "the outputs of stack staging have no region",
        ),
    ],
)
def test_service_ready_without_a_service_is_skipped(targets: dict, message: str) -> None:
    assert service_ready.run(context(**targets)) == [
        Finding(rule="service-ready", outcome=Outcome.SKIPPED, severity="low", message=message)
    ]


# secrets-resolvable


def _version(name: str) -> str:
    return f"projects/{PROJECT}/secrets/{name}/versions/latest"


def test_every_secret_with_an_enabled_latest_version_passes(google) -> None:
    _, endpoint = google
    assert secrets_resolvable.run(context(endpoint)) == [
        Finding(
            rule="secrets-resolvable",
            outcome=Outcome.PASS,
            subject=_version("backend-db-password"),
            message="DATABASE_PASSWORD: latest version enabled",
        ),
        Finding(
            rule="secrets-resolvable",
            outcome=Outcome.PASS,
            subject=_version("jwt-secret-key"),
            message="JWT_SECRET_KEY: latest version enabled",
        ),
    ]


def test_a_disabled_or_missing_secret_is_configuration(google) -> None:
    fake, endpoint = google
    fake.objects[_version("jwt-secret-key")].state = secretmanager.SecretVersion.State.DISABLED
    del fake.objects[_version("backend-db-password")]
    missing, disabled = secrets_resolvable.run(context(endpoint))
    assert disabled == Finding(
        rule="secrets-resolvable",
        outcome=Outcome.FAIL,
        subject=_version("jwt-secret-key"),
        severity="critical",
        classification=FailureClass.CONFIGURATION,
        message="JWT_SECRET_KEY: latest version is DISABLED",
        remediation="Enable a version (or add one) so the revision can read it.",
    )
    assert (missing.outcome, missing.classification, missing.subject) == (
        Outcome.FAIL,
        FailureClass.CONFIGURATION,
        _version("backend-db-password"),
    )
    assert missing.message.startswith("DATABASE_PASSWORD: not found: ")
    assert missing.remediation == (
        "Create the secret with a version, or fix its id in conduit:secrets."
    )


@pytest.mark.parametrize(
    ("missing", "key"), [({"project": None}, "project"), ({"secret_ids": {}}, "secretIds")]
)
def test_secrets_without_a_project_or_ids_are_skipped(missing: dict, key: str) -> None:
    ((finding),) = secrets_resolvable.run(context(source="o.json", **missing))
    assert (finding.outcome, finding.message) == (
        Outcome.SKIPPED,
        f"the outputs file o.json has no {key}",
    )


# config-drift


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


SUBNET_ID = f"projects/{PROJECT}/regions/{REGION}/subnetworks/staging-run-egress"


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


# connector-scaling


def _storm(*tasks: Task, baseline: float | None = 0.05) -> StormResult:
    return StormResult(list(tasks), elapsed=5.0, runner="local", baseline_seconds=baseline)


@pytest.mark.parametrize(
    ("baseline", "seconds", "slow"),
    [
        # The slow limit is max(2 x baseline, baseline + 0.1): 0.15 s here ...
        (0.05, 0.15, 0),
        (0.05, 0.1501, 1),
        # ... and 0.4 s for a 0.2 s baseline.
        (0.2, 0.4, 0),
        (0.2, 0.4001, 1),
    ],
)
def test_a_task_is_slow_just_past_the_limit(baseline: float, seconds: float, slow: int) -> None:
    result = _storm(
        Task(ok=True, start=0.0, seconds=0.01), Task(ok=True, start=1.0, seconds=seconds)
    )
    latency, count = connector_scaling.scaling_latency(result, baseline)
    assert (latency, count) == ((1.0 + seconds, 1) if slow else (0.0, 0))


def test_latency_counts_from_the_first_attempt_and_failed_tasks_are_slow() -> None:
    result = _storm(
        Task(ok=True, start=2.0, seconds=0.01),
        Task(ok=True, start=2.5, seconds=3.0),
        Task(ok=False, start=None, seconds=None, failure="timeout"),
        Task(ok=False, start=4.0, seconds=1.5, failure="refused"),
    )
    # 2.5 - 2 + 3 = 3.5; the failure without a start counts from the first attempt (0 s);
    # 4 - 2 + 1.5 = 3.5.
    assert connector_scaling.scaling_latency(result, 0.05) == (3.5, 3)


def test_on_direct_vpc_the_same_storm_judges_the_direct_path() -> None:
    result = _storm(Task(ok=True, start=0.0, seconds=0.01), Task(ok=True, start=1.0, seconds=2.0))
    assert connector_scaling.judge(result, 0.05, 2.999, "direct") == Finding(
        rule="connector-scaling",
        outcome=Outcome.FAIL,
        severity="critical",
        classification=FailureClass.INFRASTRUCTURE,
        message=(
            "Direct VPC egress: connection times settled 3.00 s after the burst began (1 slow "
            "tasks; idle baseline 50 ms; threshold 2.999 s)"
        ),
        figures={
            "egressPath": "direct",
            "latencySeconds": 3.0,
            "baselineSeconds": 0.05,
            "baselineFrom": "idle connections",
            "slowTasks": 1,
            "thresholdSeconds": 2.999,
        },
        remediation=connector_scaling.DIRECT_REMEDIATION,
    )


def test_no_slow_task_is_no_latency() -> None:
    assert connector_scaling.scaling_latency(_storm(), 0.05) == (0.0, 0)


@pytest.mark.parametrize(("limit", "outcome"), [(3.0, Outcome.PASS), (2.999, Outcome.FAIL)])
def test_scaling_latency_at_the_limit_passes(limit: float, outcome: Outcome) -> None:
    result = _storm(Task(ok=True, start=0.0, seconds=0.01), Task(ok=True, start=1.0, seconds=2.0))
    finding = connector_scaling.judge(result, 0.05, limit)
    message = (
        f"connection times settled 3.00 s after the burst began (1 slow tasks; idle baseline "
        f"50 ms; threshold {limit:g} s)"
    )
    figures = {
        "egressPath": "connector",
        "latencySeconds": 3.0,
        "baselineSeconds": 0.05,
        "baselineFrom": "idle connections",
        "slowTasks": 1,
        "thresholdSeconds": limit,
    }
    if outcome is Outcome.PASS:
        assert finding == Finding(
            rule="connector-scaling", outcome=outcome, message=message, figures=figures
        )
    else:
        assert finding == Finding(
            rule="connector-scaling",
            outcome=outcome,
            severity="critical",
            classification=FailureClass.INFRASTRUCTURE,
            message=message,
            figures=figures,
            remediation=connector_scaling.REMEDIATION,
        )


class _Measured:
    """A storm runner that hands back a result measured elsewhere (through the egress path)."""

    name = "given"

    def __init__(self, result: StormResult) -> None:
        self.result = result
        self.runs = 0

    def run(self, tasks: int, deadline: float) -> StormResult:
        self.runs += 1
        return self.result


DECLARED = {"state": "READY", "machineType": "e2-standard-4", "minInstances": 3, "maxInstances": 10}
SETTLED = (
    "connection times settled 0.50 s after the burst began (1 slow tasks; idle baseline 20 ms; "
    "threshold 10 s)"
)
LATENCY = {
    "egressPath": "connector",
    "latencySeconds": 0.5,
    "baselineSeconds": 0.02,
    "baselineFrom": "fastest task",
    "slowTasks": 1,
    "thresholdSeconds": 10,
}


def _through_path(ctx: Context, *seconds: float) -> Context:
    """`ctx` with a storm through the egress path whose tasks took `seconds` each."""
    tasks = [Task(ok=True, start=0.0, seconds=s) for s in seconds]
    ctx.storm_runner = _Measured(_storm(*tasks, baseline=None))
    return ctx


def test_a_ready_connector_as_declared_and_a_settled_storm_is_one_pass(google) -> None:
    _, endpoint = google
    ctx = _through_path(context(endpoint), 0.02, 0.5)
    assert connector_scaling.run(ctx) == [
        Finding(
            rule="connector-scaling",
            outcome=Outcome.PASS,
            subject=CONNECTOR,
            figures={**DECLARED, **LATENCY, "results": {"declared": "pass", "scaling": "pass"}},
            message=f"connector READY, e2-standard-4 x 3-10; {SETTLED}",
        )
    ]


def test_drift_and_a_slow_storm_are_parts_of_one_failure(google) -> None:
    """The issue's case: drift failed and the storm passed, as two rows; now one outcome."""
    fake, endpoint = google
    fake.objects[CONNECTOR].min_instances = 2
    ctx = _through_path(context(endpoint), 0.02, 0.5)
    assert connector_scaling.run(ctx) == [
        Finding(
            rule="connector-scaling",
            outcome=Outcome.FAIL,
            subject=CONNECTOR,
            severity="high",
            classification=FailureClass.CONFIGURATION,
            figures={
                **DECLARED,
                "minInstances": 2,
                **LATENCY,
                "results": {"declared": "fail", "scaling": "pass"},
            },
            message=f"connector: minInstances is 2, declared 3; {SETTLED}",
            remediation=connector_scaling.DRIFT_REMEDIATION,
        )
    ]


def test_a_slow_storm_through_a_connector_as_declared_fails_as_infrastructure(google) -> None:
    _, endpoint = google
    ctx = _through_path(context(endpoint), 0.02, 10.5)
    (finding,) = connector_scaling.run(ctx)
    assert (finding.outcome, finding.classification, finding.remediation) == (
        Outcome.FAIL,
        FailureClass.INFRASTRUCTURE,
        connector_scaling.REMEDIATION,
    )
    assert finding.figures["results"] == {"declared": "pass", "scaling": "fail"}
    assert finding.message.startswith("connector READY, e2-standard-4 x 3-10; connection times ")


def test_a_connector_as_declared_with_no_storm_through_it_is_skipped(google) -> None:
    _, endpoint = google
    (finding,) = connector_scaling.run(context(endpoint, source="o.json"))
    assert finding == Finding(
        rule="connector-scaling",
        outcome=Outcome.SKIPPED,
        subject=CONNECTOR,
        severity="low",
        figures={**DECLARED, "results": {"declared": "pass", "scaling": "skipped"}},
        message="connector READY, e2-standard-4 x 3-10; scaling not measured: no storm through "
        "the connector (the probe job runs it inside the VPC: the outputs file o.json has no "
        "probeJob)",
    )
    local = context(endpoint)
    local.storm_runner = LocalStorm("postgresql://app:secret@127.0.0.1:1/app")
    (here,) = connector_scaling.run(local)
    assert (here.outcome, here.message.split("; ", 1)[1]) == (
        Outcome.SKIPPED,
        "scaling not measured: the storm ran from this machine (--dsn), not through the connector",
    )


def test_localhost_with_no_connector_is_skipped_with_the_reason() -> None:
    """The issue's case: a storm against a local database, no connector anywhere."""
    ctx = _through_path(context(connector_id=None, source="o.json"), 0.02, 0.5)
    assert connector_scaling.run(ctx) == [
        Finding(
            rule="connector-scaling",
            outcome=Outcome.SKIPPED,
            severity="low",
            message="no connector to measure: the outputs file o.json has no connectorId, and a "
            "storm from here to --dsn goes through none",
        )
    ]
    assert ctx.storm_runner.runs == 0


def test_a_connector_that_is_not_ready_is_infrastructure(google) -> None:
    fake, endpoint = google
    fake.objects[CONNECTOR].state = vpcaccess_v1.Connector.State.ERROR
    (finding,) = connector_scaling.run(context(endpoint, settings=None))
    assert (finding.outcome, finding.classification, finding.remediation) == (
        Outcome.FAIL,
        FailureClass.INFRASTRUCTURE,
        connector_scaling.STATE_REMEDIATION,
    )
    assert finding.message.startswith("connector: state is ERROR, not READY; scaling not measured")


def test_connector_scaling_reports_an_api_failure(google) -> None:
    fake, endpoint = google
    fake.errors[CONNECTOR] = 404
    (finding,) = connector_scaling.run(context(endpoint))
    assert (finding.outcome, finding.classification, finding.subject, finding.remediation) == (
        Outcome.FAIL,
        FailureClass.CONFIGURATION,
        CONNECTOR,
        NOT_FOUND,
    )
    assert finding.message.startswith("connector: not found: ")


def test_the_storm_runs_once_for_both_checks_and_its_fastest_task_is_the_baseline() -> None:
    ctx = _through_path(
        context(connector_id=None, subnet_id=SUBNET_ID, egress_path="direct"), 0.02, 0.5
    )
    (scaling,) = connector_scaling.run(ctx)
    (storm,) = startup_storm.run(ctx)
    assert ctx.storm_runner.runs == 1
    assert scaling.subject == SUBNET_ID
    assert scaling.figures == {
        **LATENCY,
        "egressPath": "direct",
        "results": {"scaling": "pass"},
    }
    assert storm.outcome is Outcome.PASS


def test_a_direct_vpc_stack_reads_no_connector_and_judges_its_storm_as_direct() -> None:
    ctx = _through_path(context(connector_id=None, subnet_id=SUBNET_ID, egress_path="direct"), 0.02)
    (scaling,) = connector_scaling.run(ctx)
    assert scaling.outcome is Outcome.PASS
    assert scaling.message.startswith("Direct VPC egress: connection times settled 0.00 s")
    assert scaling.figures["egressPath"] == "direct"
    unmeasured = context(connector_id=None, egress_path="direct", source="o.json")
    (skipped_finding,) = connector_scaling.run(unmeasured)
    assert (skipped_finding.subject, skipped_finding.outcome, skipped_finding.message) == (
        "Direct VPC egress",
        Outcome.SKIPPED,
        "scaling not measured: no storm through Direct VPC egress (the probe job runs it inside "
        "the VPC: the outputs file o.json has no probeJob)",
    )


def test_the_egress_path_comes_from_the_outputs_else_the_stack_file() -> None:
    direct = {"egressPath": "direct", "subnetId": SUBNET_ID}
    targets = from_outputs(direct, "staging-direct", "o.json", None)
    assert (targets.egress_path, targets.subnet_id, targets.connector_id) == (
        "direct",
        SUBNET_ID,
        None,
    )
    assert from_outputs({}, "staging", "flags", SETTINGS).egress_path == "connector"
    # Outputs written before egressPath existed: a connector id says which path.
    assert from_outputs({"connectorId": CONNECTOR}, "s", "o.json", None).egress_path == "connector"
    assert from_outputs({}, "s", "o.json", None).egress_path is None


# startup-storm


def _tasks(ok: int, *failed: Task) -> StormResult:
    return _storm(*[Task(ok=True, start=0.0, seconds=0.1)] * ok, *failed)


def test_a_storm_at_exactly_the_success_rate_passes() -> None:
    result = _tasks(
        9, Task(ok=False, failure="refused", classification=FailureClass.INFRASTRUCTURE)
    )
    assert startup_storm.judge(result, CRITERIA) == Finding(
        rule="startup-storm",
        outcome=Outcome.PASS,
        message="9/10 tasks connected (90%, threshold 90%)",
        figures={
            "runner": "local",
            "tasks": 10,
            "successRate": 0.9,
            "threshold": 0.9,
            "connectSeconds": {"p50": 0.1, "p95": 0.1, "p99": 0.1, "max": 0.1, "mean": 0.1},
            "outcomes": {"connected": 9, "refused": 1},
        },
    )


def test_one_task_under_the_success_rate_fails_classified_from_every_failed_task() -> None:
    result = _tasks(
        8,
        Task(ok=False, failure="timeout", classification=FailureClass.INFRASTRUCTURE),
        Task(ok=False, failure="authentication", classification=FailureClass.CONFIGURATION),
    )
    finding = startup_storm.judge(result, CRITERIA)
    assert finding == Finding(
        rule="startup-storm",
        outcome=Outcome.FAIL,
        severity="critical",
        message="8/10 tasks connected (80%, threshold 90%)",
        classification=FailureClass.CONFIGURATION,
        figures={
            "runner": "local",
            "tasks": 10,
            "successRate": 0.8,
            "threshold": 0.9,
            "connectSeconds": {"p50": 0.1, "p95": 0.1, "p99": 0.1, "max": 0.1, "mean": 0.1},
            "outcomes": {"connected": 8, "timeout": 1, "authentication": 1},
        },
        remediation=startup_storm.REMEDIATION,
    )


def test_tasks_the_budget_cut_are_no_evidence() -> None:
    cut = Task(ok=False, failure=CUT)
    only_cuts = startup_storm.judge(_tasks(0, cut, cut), CRITERIA)
    assert (only_cuts.classification, only_cuts.figures["outcomes"]) == (
        FailureClass.INFRASTRUCTURE,
        {CUT: 2},
    )
    # A task that failed without a reason of its own (its log never arrived) is not the app's.
    unlogged = startup_storm.judge(_tasks(0, Task(ok=False, failure="task-failed")), CRITERIA)
    assert unlogged.classification == FailureClass.INFRASTRUCTURE


def test_a_storm_of_no_tasks_fails_and_no_runner_skips() -> None:
    assert startup_storm.judge(_tasks(0), CRITERIA).outcome is Outcome.FAIL
    assert startup_storm.run(context(source="o.json")) == [
        Finding(
            rule="startup-storm",
            outcome=Outcome.SKIPPED,
            severity="low",
            message="no storm runner: no --dsn for a storm from here, and the outputs file "
            "o.json has no probeJob",
        )
    ]
    (chosen,) = startup_storm.run(context(probe_job="projects/p/locations/r/jobs/j"))
    assert chosen.message == "no storm runner: --storm-runner none"


# database-connect


def _probe(succeeded: int, slowest: float | None, **failures: int) -> dict:
    """A probe result as `conduit probe` prints it (the fields the check reads)."""
    failed = sum(failures.values())
    classification = ""
    if failures:
        classification = (
            FailureClass.CONFIGURATION
            if "authentication" in failures
            else FailureClass.INFRASTRUCTURE
        )
    return {
        "ok": failed == 0,
        "succeeded": succeeded,
        "connectSeconds": {"max": slowest} if slowest is not None else {},
        "failures": failures,
        "classification": classification,
        "errors": [f"error {n}" for n in range(7)] if failed else [],
    }


def _database(outcome: Outcome, message: str, result: dict, **extra) -> Finding:
    fields = {
        "rule": "database-connect",
        "outcome": outcome,
        "subject": "dsn",
        "message": message,
        "figures": {
            "connections": 20,
            "succeeded": result["succeeded"],
            "outcomes": extra.pop("outcomes", {"connected": result["succeeded"]}),
            "connectSeconds": result["connectSeconds"],
            "thresholdSeconds": 30,
        },
    }
    if outcome is Outcome.FAIL:
        fields |= {
            "severity": "critical",
            "evidence": tuple(result["errors"][:5]),
            # The one remedy of the class found.
            "remediation": database_connect.REMEDIES[extra["classification"]],
        }
    return Finding(**fields, **extra)


def test_connections_just_under_the_threshold_pass() -> None:
    result = _probe(20, 29.999)
    assert database_connect.judge(result, CRITERIA, "dsn") == _database(
        Outcome.PASS, "20 connections in 29.999 s at most (threshold 30 s)", result
    )


def test_connected_at_exactly_the_threshold_is_slow_infrastructure() -> None:
    result = _probe(20, 30.0)
    assert database_connect.judge(result, CRITERIA, "dsn") == _database(
        Outcome.FAIL,
        "all 20 connected but the slowest took 30.00 s (threshold 30 s)",
        result,
        classification=FailureClass.INFRASTRUCTURE,
    )


def test_failed_connections_carry_the_probe_s_classification_and_counts() -> None:
    result = _probe(17, 0.2, authentication=1, timeout=2)
    assert database_connect.judge(result, CRITERIA, "dsn") == _database(
        Outcome.FAIL,
        "17/20 connected; failures: authentication x1, timeout x2",
        result,
        classification=FailureClass.CONFIGURATION,
        outcomes={"connected": 17, "authentication": 1, "timeout": 2},
    )


def test_timeouts_of_a_probe_the_deadline_shortened_are_counted_as_cut() -> None:
    result = _probe(0, None, timeout=20)
    finding = database_connect.judge(result, CRITERIA, "dsn", cut=True)
    assert finding == _database(
        Outcome.FAIL,
        f"0/20 connected; failures: {CUT} x20",
        result,
        classification=FailureClass.INFRASTRUCTURE,
        outcomes={"connected": 0, CUT: 20},
    )


def test_database_connect_without_a_dsn_or_a_probe_job_is_skipped() -> None:
    ((finding),) = database_connect.run(context(source="o.json"))
    assert (finding.outcome, finding.message) == (
        Outcome.SKIPPED,
        "no --dsn, and the outputs file o.json has no probeJob (the database's private IP is "
        "reachable only inside the VPC, where the probe job runs; deploy it with "
        "conduit:probeJob)",
    )
    (not_run,) = database_connect.run(context(probe_job="projects/p/locations/r/jobs/j"))
    assert not_run.message == (
        "the probe job is not run (--storm-runner none); give --dsn, or --storm-runner cloudrun"
    )


def test_database_connect_against_a_real_database(postgres) -> None:
    ctx = context(
        dsn=postgres.dsn(), criteria=CRITERIA.model_copy(update={"concurrent_connections": 3})
    )
    (finding,) = database_connect.run(ctx)
    assert (finding.outcome, finding.figures["outcomes"]) == (Outcome.PASS, {"connected": 3})
    assert finding.subject == str(parse_dsn(postgres.dsn()))


# service-startup-rate


def test_the_log_filter_names_the_service_its_system_log_and_the_window() -> None:
    since = dt.datetime(2026, 11, 30, 3, 4, 5, tzinfo=dt.UTC)
    assert service_startup_rate.log_filter("p", "backend", since) == (
        'resource.type="cloud_run_revision" AND resource.labels.service_name="backend" '
        'AND logName="projects/p/logs/run.googleapis.com%2Fvarlog%2Fsystem" '
        'AND timestamp>="2026-11-30T03:04:05Z" '
        'AND (textPayload:"STARTUP" OR textPayload:"Container called exit")'
    )


def test_tally_counts_instances_by_their_start_up_outcome() -> None:
    entries = [
        ("a", STARTED),
        ("b", PROBE_FAILED),
        ("c", "Container called exit(3)."),
        ("d", "Container called exit(0)."),
        ("e", "Container called exit(3)."),
        ("e", STARTED),
        ("f", "Container called exit(1)."),
    ]
    assert service_startup_rate.tally(entries) == {
        "starts": 6,
        "succeeded": 2,
        "failedApplication": 2,
        "failedInfrastructure": 2,
        "exitCodes": {"3": 1, "1": 1},
    }


def _rate(google, entries: list) -> Finding:
    fake, endpoint = google
    fake.log_entries = entries
    (finding,) = service_startup_rate.run(context(endpoint))
    return finding


def test_start_ups_at_exactly_the_success_rate_pass(google) -> None:
    entries = [log_entry(f"i{n}", STARTED) for n in range(9)] + [log_entry("x", PROBE_FAILED)]
    assert _rate(google, entries) == Finding(
        rule="service-startup-rate",
        outcome=Outcome.PASS,
        subject="backend",
        message="9/10 instance start-ups succeeded (90%, threshold 90%) in the last 60 min",
        figures={
            "starts": 10,
            "succeeded": 9,
            "failedApplication": 0,
            "failedInfrastructure": 1,
            "exitCodes": {},
            "windowSeconds": 3600,
            "successRate": 0.9,
        },
    )


def test_as_many_app_exits_as_probe_failures_is_the_application(google) -> None:
    entries = [log_entry(f"i{n}", STARTED) for n in range(8)]
    entries += [log_entry("x", PROBE_FAILED), log_entry("y", "Container called exit(3).")]
    finding = _rate(google, entries)
    assert finding == Finding(
        rule="service-startup-rate",
        outcome=Outcome.FAIL,
        subject="backend",
        severity="critical",
        message="8/10 instance start-ups succeeded (80%, threshold 90%) in the last 60 min",
        figures={
            "starts": 10,
            "succeeded": 8,
            "failedApplication": 1,
            "failedInfrastructure": 1,
            "exitCodes": {"3": 1},
            "windowSeconds": 3600,
            "successRate": 0.8,
        },
        classification=FailureClass.APPLICATION,
        evidence=("exit(3) x1",),
        remediation=service_startup_rate.REMEDIATION,
    )


def test_more_probe_failures_than_app_exits_is_infrastructure(google) -> None:
    entries = [log_entry("x", PROBE_FAILED), log_entry("z", PROBE_FAILED)]
    entries.append(log_entry("y", "Container called exit(3)."))
    assert _rate(google, entries).classification == FailureClass.INFRASTRUCTURE


def test_no_start_ups_logged_is_skipped(google) -> None:
    finding = _rate(google, [])
    assert (finding.outcome, finding.message) == (
        Outcome.SKIPPED,
        "no instance start-ups logged in the last 60 min",
    )
    assert service_startup_rate.run(context(project=None))[0].outcome is Outcome.SKIPPED


def test_a_logging_refusal_is_the_validator_s_access(google) -> None:
    fake, endpoint = google
    fake.errors["entries"] = 403
    (finding,) = service_startup_rate.run(context(endpoint))
    assert (finding.outcome, finding.classification) == (
        Outcome.FAIL,
        FailureClass.VALIDATOR_ACCESS,
    )
    assert finding.message.startswith("Cloud Logging: permission denied")
    assert finding.remediation.startswith("Grant the validator's account `roles/logging.viewer`:")


# health-endpoints


@pytest.mark.parametrize(
    ("status", "server", "classification"),
    [
        (None, "", FailureClass.INFRASTRUCTURE),
        (400, "", FailureClass.INFRASTRUCTURE),
        (401, "", FailureClass.VALIDATOR_ACCESS),
        (403, "", FailureClass.VALIDATOR_ACCESS),
        (404, "", FailureClass.CONFIGURATION),
        (405, "", FailureClass.INFRASTRUCTURE),
        (499, "", FailureClass.INFRASTRUCTURE),
        (500, "stand-in/1", FailureClass.APPLICATION),
        (503, "Google Frontend", FailureClass.INFRASTRUCTURE),
    ],
)
def test_one_answer_is_classified(status: int | None, server: str, classification: str) -> None:
    assert health_endpoints.classify(status, server) == classification


@pytest.mark.parametrize(
    ("share", "timeout"), [(1.0, 1.0), (2.0, 1.0), (2.2, 1.1), (10.0, 5.0), (12.0, 5.0)]
)
def test_each_attempt_gets_half_the_window_between_a_floor_and_a_cap(
    share: float, timeout: float
) -> None:
    assert health_endpoints.attempt_timeout(share) == pytest.approx(timeout)


def _health(server: StandIn, wait: float = 3.0, endpoints: tuple[str, ...] = ("/health",)):
    ctx = context(services=(ServiceTarget("backend", server.url, endpoints),))
    ctx.health_wait = wait
    return health_endpoints.run(ctx)


def test_a_healthy_endpoint_passes_on_the_first_attempt() -> None:
    server = StandIn("ok")
    try:
        (finding,) = _health(server)
    finally:
        server.stop()
    latency = finding.figures.pop("latencySeconds")
    first = finding.figures.pop("firstSuccessSeconds")
    # The one answer's latency is part of the time to the first success.
    assert 0 < latency["max"] <= first + 0.001  # rounded to 4 and 3 decimals
    # The whole 3 s wait is the one endpoint's window (the client is set up before it starts),
    # each attempt half of it.
    window = finding.figures.pop("windowSeconds")
    assert 2.5 < window <= 3.0
    assert abs(finding.figures.pop("attemptTimeoutSeconds") - window / 2) <= 0.001
    assert finding.figures == {
        "attempts": 1,
        "outcomes": {"200": 1},
        "successRate": 1.0,
        "lastStatus": 200,
    }
    assert (finding.outcome, finding.subject) == (Outcome.PASS, f"{server.url}/health")
    assert re.fullmatch(
        rf"{server.url}/health answered 200 after \d+\.\d\d s \(1 attempts\)", finding.message
    )


def test_two_503s_then_200_pass_with_the_retries_counted() -> None:
    server = StandIn("flaky", failures_first=2)
    try:
        (finding,) = _health(server, wait=5.0)
    finally:
        server.stop()
    assert finding.outcome is Outcome.PASS
    assert (finding.figures["attempts"], finding.figures["outcomes"]) == (3, {"503": 2, "200": 1})
    assert finding.figures["successRate"] == round(1 / 3, 3)
    # Backoff 0.25 s then 0.5 s before the third attempt (bounds measured in this process).
    first = finding.figures["firstSuccessSeconds"]
    assert 0.75 <= first < 2.9 and round(first, 3) == first


def test_the_app_s_503_is_application_and_every_endpoint_gets_a_share() -> None:
    server = StandIn("down")
    try:
        findings = _health(server, wait=2.0, endpoints=("/health", "/ready"))
    finally:
        server.stop()
    assert [(f.subject, f.outcome, f.classification) for f in findings] == [
        (f"{server.url}/health", Outcome.FAIL, FailureClass.APPLICATION),
        (f"{server.url}/ready", Outcome.FAIL, FailureClass.APPLICATION),
    ]
    first = findings[0]
    assert re.match(rf"{server.url}/health never answered 200 in \d\.\d s: ", first.message)
    assert first.figures["lastStatus"] == 503 and first.figures["successRate"] == 0.0
    assert first.evidence == ("last server header: stand-in/1",)
    assert (
        first.remediation
        == health_endpoints.REMEDIES[FailureClass.APPLICATION]
        == ("The app answered with an error of its own: read its logs (the application team).")
    )


def test_a_refusal_names_how_to_authenticate_and_whether_a_token_was_sent() -> None:
    server = StandIn("ok", token="right")
    try:
        ctx = context(services=(ServiceTarget("backend", server.url),))
        ctx.health_wait, ctx.id_token = 1.5, "wrong"
        (finding,) = health_endpoints.run(ctx)
    finally:
        server.stop()
    assert (finding.outcome, finding.classification) == (
        Outcome.FAIL,
        FailureClass.VALIDATOR_ACCESS,
    )
    assert finding.remediation == (
        f"The service refused the validator (403): it is private; {identity.HOW_TO_AUTHENTICATE}. "
        "A token was sent: its account lacks roles/run.invoker, or its audience is not the "
        "service URL."
    )
    assert server.authorizations[0] == "Bearer wrong"


def test_credentials_that_give_no_token_fail_each_service_as_the_validator_s_access(
    tmp_path, monkeypatch
) -> None:
    # Application Default Credentials whose token endpoint refuses: each service URL (https, or
    # a loopback stand-in) asks for its own token, and the first failure stops no other.
    endpoint = FakeTokenEndpoint()
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(endpoint.key_file(tmp_path)))
    endpoint.stop()
    server = StandIn("ok")
    try:
        urls = ("https://backend.invalid/", server.url)
        ctx = context(services=(ServiceTarget("backend", urls[0]), ServiceTarget("auth", urls[1])))
        found = health_endpoints.run(ctx)
    finally:
        server.stop()
    audiences = ("https://backend.invalid", server.url)
    assert [
        f.message.startswith(f"no identity token for {a}: ")
        for f, a in zip(found, audiences, strict=True)
    ] == [True, True]
    assert found == [
        Finding(
            rule="health-endpoints",
            outcome=Outcome.FAIL,
            subject=audience,
            severity="high",
            classification=FailureClass.VALIDATOR_ACCESS,
            message=finding.message,
            remediation=f"To reach a private service, {identity.HOW_TO_AUTHENTICATE}.",
        )
        for finding, audience in zip(found, audiences, strict=True)
    ]
    assert server.requests == 0


def test_health_without_a_service_url_is_skipped() -> None:
    assert health_endpoints.run(context(source="o.json")) == [
        Finding(
            rule="health-endpoints",
            outcome=Outcome.SKIPPED,
            severity="low",
            message="no --service-url, and the outputs file o.json has no services.<name>.url "
            "(or serviceUrl)",
        )
    ]


# several services


def test_every_service_of_the_stack_is_judged_on_its_own(google) -> None:
    fake, endpoint = google
    auth = f"projects/{PROJECT}/locations/{REGION}/services/auth"
    fake.objects[auth] = run_v2.Service.deserialize(run_v2.Service.serialize(fake.objects[SERVICE]))
    fake.objects[auth].name = auth
    fake.objects[auth].latest_created_revision = f"{auth}/revisions/auth-00009"
    ctx = context(endpoint, services=(ServiceTarget("backend"), ServiceTarget("auth")))
    ready, not_ready = service_ready.run(ctx)
    assert (ready.subject, ready.outcome) == (SERVICE, Outcome.PASS)
    assert (not_ready.subject, not_ready.outcome) == (auth, Outcome.FAIL)
    assert not_ready.message.startswith("latest created revision auth-00009 is not ready")


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


# targets


def test_targets_read_every_service_from_the_services_output() -> None:
    outputs = {
        "services": {
            "backend": {"url": "https://b.run.app", "healthEndpoints": ["/health", "/ready"]},
            "auth": {"url": "https://a.run.app"},
        }
    }
    targets = from_outputs(outputs, "staging", "o.json", None)
    assert targets.services == (
        ServiceTarget("backend", "https://b.run.app", ("/health", "/ready")),
        ServiceTarget("auth", "https://a.run.app", ("/health",)),
    )


def test_health_endpoints_the_outputs_leave_out_come_from_the_stack_file() -> None:
    targets = from_outputs({"serviceName": "backend"}, "staging", "o.json", SETTINGS)
    assert targets.services == (
        ServiceTarget("backend", None, ("/health", "/health/infrastructure")),
    )
    # No outputs at all: the stack file's services, by name.
    assert from_outputs({}, "staging", "flags", SETTINGS).services == targets.services


def test_service_urls_by_name_or_alone() -> None:
    two = Targets(
        stack="s", criteria=CRITERIA, services=(ServiceTarget("backend"), ServiceTarget("auth"))
    )
    named = with_service_urls(two, ["auth=http://127.0.0.1:9"])
    assert named.services[1] == ServiceTarget("auth", "http://127.0.0.1:9")
    with pytest.raises(TargetsError, match=r"several services \(backend, auth\); give NAME=URL"):
        with_service_urls(two, ["http://127.0.0.1:9"])
    with pytest.raises(TargetsError, match=r"no service 'web' in the stack \(services: backend"):
        with_service_urls(two, ["web=http://127.0.0.1:9"])
    with pytest.raises(TargetsError, match="must start with http:// or https://"):
        with_service_urls(two, ["auth=ftp://x"])
    alone = with_service_urls(Targets(stack="s", criteria=CRITERIA), ["https://x.run.app"])
    assert alone.services == (ServiceTarget(None, "https://x.run.app"),)


def test_a_silent_server_times_out_each_attempt_and_the_last_one_is_cut() -> None:
    """Attempts get 1.25 s each of a 2.5 s wait: the first times out on its own, the second is
    cut by the deadline, which is no evidence; nothing answered, so infrastructure."""
    server = StandIn("hang")
    try:
        (finding,) = _health(server, wait=2.5)
    finally:
        server.stop()
    url = f"{server.url}/health"
    figures = finding.figures
    assert figures["outcomes"] == {"timedOut": 1, CUT: 1}
    assert (figures["attempts"], figures["successRate"], figures["lastStatus"]) == (2, 0.0, None)
    # The wait is the one endpoint's window (the client is set up before it starts), each
    # attempt half of it.
    assert 2.0 < figures["windowSeconds"] <= 2.5
    assert abs(figures["attemptTimeoutSeconds"] - figures["windowSeconds"] / 2) <= 0.001
    assert (figures["firstSuccessSeconds"], figures["latencySeconds"]) == (None, {})
    assert finding == Finding(
        rule="health-endpoints",
        outcome=Outcome.FAIL,
        subject=url,
        figures=figures,
        severity="high",
        classification=FailureClass.INFRASTRUCTURE,
        message=finding.message,
        evidence=("last server header: -",),
        remediation=health_endpoints.REMEDIES[FailureClass.INFRASTRUCTURE],
    )
    # The share shown is what was left of the wait: 2.5 s less the set-up, to a tenth.
    assert re.fullmatch(
        rf"{url} never answered 200 in \d\.\d s: 2 attempts \(cutByDeadline x1, timedOut x1\); "
        "last ReadTimeout: .+",
        finding.message,
    )


def test_an_endpoint_whose_share_of_the_wait_is_spent_is_still_tried_once() -> None:
    """No wait left (0 s) but the run's deadline open: one attempt, in ATTEMPT_FLOOR's window."""
    server = StandIn("ok")
    try:
        (finding,) = _health(server, wait=0.0)
    finally:
        server.stop()
    assert (finding.outcome, finding.figures["attempts"]) == (Outcome.PASS, 1)
    assert finding.figures["windowSeconds"] == health_endpoints.ATTEMPT_FLOOR
    assert finding.figures["attemptTimeoutSeconds"] == health_endpoints.ATTEMPT_FLOOR


def test_an_expired_run_deadline_leaves_no_attempt() -> None:
    """The floor gives way to the run's own deadline: nothing is sent after it."""
    server = StandIn("ok")
    try:
        ctx = context(services=(ServiceTarget("backend", server.url, ("/health",)),))
        ctx.health_wait = 3.0
        ctx.deadline = Deadline(0)
        (finding,) = health_endpoints.run(ctx)
    finally:
        server.stop()
    assert (finding.outcome, finding.figures["attempts"], finding.figures["windowSeconds"]) == (
        Outcome.FAIL,
        0,
        0.0,
    )
    assert server.requests == 0


def test_a_closed_port_is_infrastructure_named_by_its_error() -> None:
    server = StandIn("ok")
    server.stop()
    (finding,) = _health(server, wait=0.6)
    attempts = finding.figures["attempts"]
    assert finding.figures["outcomes"] == {"ConnectError": attempts}
    assert (finding.classification, finding.figures["lastStatus"]) == (
        FailureClass.INFRASTRUCTURE,
        None,
    )
    assert f"attempts (ConnectError x{attempts}); last ConnectError: " in finding.message


def test_the_app_s_503s_are_counted_in_the_message() -> None:
    server = StandIn("down")
    try:
        (finding,) = _health(server, wait=1.5)
    finally:
        server.stop()
    attempts = finding.figures["attempts"]
    assert attempts >= 2 and finding.figures["outcomes"] == {"503": attempts}
    assert re.fullmatch(
        rf"{server.url}/health never answered 200 in \d\.\d s: {attempts} attempts "
        rf"\(503 x{attempts}\); last HTTP 503",
        finding.message,
    )


# the rest of each check's edges


def test_start_ups_without_an_instance_label_count_by_entry() -> None:
    from google.cloud.logging_v2.types import LogEntry

    fake = healthy_google()
    fake.log_entries = [
        LogEntry(insert_id="a", text_payload=STARTED),
        LogEntry(insert_id="b", text_payload="Container called exit(3)."),
        LogEntry(insert_id="c"),
    ]
    endpoint = fake.start()
    try:
        (finding,) = service_startup_rate.run(context(endpoint))
    finally:
        fake.stop()
    assert {k: finding.figures[k] for k in ("starts", "succeeded", "failedApplication")} == {
        "starts": 3,
        "succeeded": 1,
        "failedApplication": 1,
    }


def test_a_logging_api_that_never_answers_is_cut_at_the_deadline() -> None:
    server = StandIn("hang")
    ctx = context(f"http://127.0.0.1:{server.url.rsplit(':', 1)[1]}")
    ctx.deadline = Deadline(0.5)
    try:
        (finding,) = service_startup_rate.run(ctx)
    finally:
        server.stop()
    assert (finding.outcome, finding.classification, finding.subject) == (
        Outcome.FAIL,
        FailureClass.INFRASTRUCTURE,
        "backend",
    )
    assert finding.message == (
        "Cloud Logging: TimeoutError: Cloud Logging did not answer before the deadline"
    )


def test_secrets_skipped_and_failed_findings_name_their_check(google) -> None:
    assert secrets_resolvable.run(context(secret_ids={}, source="stack staging")) == [
        Finding(
            rule="secrets-resolvable",
            outcome=Outcome.SKIPPED,
            severity="low",
            message="the outputs of stack staging have no secretIds",
        )
    ]
    fake, endpoint = google
    fake.errors[_version("jwt-secret-key")] = 500
    failed = [f for f in secrets_resolvable.run(context(endpoint)) if f.outcome is Outcome.FAIL]
    assert [(f.rule, f.classification, f.remediation) for f in failed] == [
        ("secrets-resolvable", FailureClass.INFRASTRUCTURE, API_DOWN)
    ]


def test_a_connector_both_not_ready_and_drifted_lists_both(google) -> None:
    fake, endpoint = google
    fake.objects[CONNECTOR].state = vpcaccess_v1.Connector.State.ERROR
    fake.objects[CONNECTOR].max_instances = 4
    (finding,) = connector_scaling.run(context(endpoint))
    assert (finding.rule, finding.message.split("; scaling")[0]) == (
        "connector-scaling",
        "connector: state is ERROR, not READY; maxInstances is 4, declared 10",
    )
    fake.errors[CONNECTOR] = 500
    (failed,) = connector_scaling.run(context(endpoint))
    assert (failed.rule, failed.classification) == (
        "connector-scaling",
        FailureClass.INFRASTRUCTURE,
    )


def test_scaling_figures_are_rounded_and_the_baseline_shown_in_ms() -> None:
    result = _storm(
        Task(ok=True, start=0.0, seconds=0.001), Task(ok=True, start=0.0, seconds=5.123456)
    )
    finding = connector_scaling.judge(result, 0.999, 10)
    assert (finding.figures["latencySeconds"], finding.figures["baselineSeconds"]) == (5.123, 0.999)
    assert "idle baseline 999 ms" in finding.message
    rounded = connector_scaling.judge(result, 0.123456, 10).figures["baselineSeconds"]
    assert rounded == 0.1235


def test_a_failed_task_without_timings_is_slow_at_the_first_attempt() -> None:
    result = _storm(Task(ok=False, failure="no-result"))
    assert connector_scaling.scaling_latency(result, 0.05) == (0.0, 1)


def test_storm_figures_leave_failed_tasks_out_of_the_connect_times() -> None:
    result = _storm(
        Task(ok=True, start=0.0, seconds=0.1),
        Task(ok=True, start=0.0, seconds=0.2),
        Task(
            ok=False,
            start=0.0,
            seconds=9.0,
            failure="timeout",
            classification=FailureClass.INFRASTRUCTURE,
        ),
        Task(ok=False),
    )
    finding = startup_storm.judge(result, CRITERIA)
    assert finding.figures["connectSeconds"]["max"] == 0.2
    assert finding.figures["outcomes"] == {"connected": 2, "timeout": 1, "failed": 1}
    assert finding.figures["successRate"] == 0.5
    assert finding.classification == FailureClass.INFRASTRUCTURE
    two_of_three = startup_storm.judge(_tasks(2, Task(ok=False)), CRITERIA)
    assert two_of_three.figures["successRate"] == 0.667


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


def test_an_api_error_page_becomes_one_line_of_the_finding() -> None:
    server = StandIn("down")  # answers 503 with a body, as a proxy's error page would
    try:
        (finding,) = service_startup_rate.run(context(server.url))
    finally:
        server.stop()
    assert finding.message.startswith("Cloud Logging: Google API error 503: POST ")
    assert "\n" not in finding.message


# redis-connect


def _redis_probe(succeeded: int, slowest: float | None, **failures: int) -> dict:
    result = _probe(succeeded, slowest, **failures)
    if "authentication" not in failures and failures:
        result["classification"] = FailureClass.INFRASTRUCTURE
    return result


@pytest.mark.parametrize(("slowest", "outcome"), [(4.999, Outcome.PASS), (5.0, Outcome.FAIL)])
def test_redis_connections_just_under_the_threshold_pass(slowest: float, outcome: Outcome) -> None:
    finding = redis_connect.judge(_redis_probe(20, slowest), CRITERIA, "redis")
    assert (finding.rule, finding.outcome, finding.figures["thresholdSeconds"]) == (
        "redis-connect",
        outcome,
        5,
    )
    assert finding.classification == (
        "" if outcome is Outcome.PASS else FailureClass.INFRASTRUCTURE
    )


def test_redis_failures_carry_the_probe_s_classification_and_counts() -> None:
    result = _redis_probe(18, 0.01, authentication=2)
    finding = redis_connect.judge(result, CRITERIA, "redis")
    assert (finding.classification, finding.message) == (
        FailureClass.CONFIGURATION,
        "18/20 connected; failures: authentication x2",
    )
    assert finding.figures["outcomes"] == {"connected": 18, "authentication": 2}
    assert finding.remediation == redis_connect.REMEDIES[FailureClass.CONFIGURATION]


def test_redis_connect_against_a_real_redis_and_skipped_without_one() -> None:
    from tests.redis_server import start_redis

    server = start_redis()
    try:
        ctx = context(
            redis_url=server.url(),
            criteria=CRITERIA.model_copy(update={"concurrent_connections": 4}),
        )
        (finding,) = redis_connect.run(ctx)
        assert (finding.outcome, finding.figures["outcomes"]) == (Outcome.PASS, {"connected": 4})
        assert finding.subject == f"redis://:***@127.0.0.1:{server.port}/0"
        assert server.settle() == 0
    finally:
        server.stop()
    (skipped_finding,) = redis_connect.run(context(source="o.json"))
    assert (skipped_finding.outcome, skipped_finding.message) == (
        Outcome.SKIPPED,
        "no --redis-url, and the outputs file o.json has no redisHost",
    )


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        # The case: the stack has Redis and a probe job; only the outputs lack the job.
        (
            {"redis_host": "10.60.1.4"},
            "Redis 10.60.1.4 is reachable only inside the VPC, through the probe job, and the "
            "outputs file o.json has no probeJob; or give --redis-url where Redis is reachable",
        ),
        (
            {"settings": parse_settings(stack_config(), "Pulumi.staging.yaml")},
            "no --redis-url, and the outputs file o.json has no redisHost (the stack file has "
            "conduit:redis)",
        ),
        (
            {"redis_host": "10.60.1.4", "probe_job": "projects/p/locations/r/jobs/j"},
            "the probe job is not run (--dsn or --storm-runner runs the storm elsewhere); give "
            "--redis-url, or --storm-runner cloudrun",
        ),
    ],
)
def test_a_redis_skip_names_exactly_what_was_missing(targets: dict, message: str) -> None:
    (finding,) = redis_connect.run(context(source="o.json", **targets))
    assert (finding.outcome, finding.message) == (Outcome.SKIPPED, message)


def test_redis_connect_through_the_probe_job_inside_the_vpc(google) -> None:
    from google.cloud.logging_v2.types import LogEntry
    from google.protobuf import struct_pb2

    fake, endpoint = google
    job = f"projects/{PROJECT}/locations/{REGION}/jobs/backend-probe"
    fake.executions[job] = run_v2.Execution(
        name=f"{job}/executions/backend-probe-r1", task_count=1, succeeded_count=1
    )
    payload = struct_pb2.Struct()
    payload.update(_redis_probe(20, 0.02))
    fake.job_log_entries = [LogEntry(json_payload=payload)]
    ctx = context(endpoint, redis_host="10.60.1.4", probe_job=job)
    ctx.storm_runner = CloudRunStorm(ctx.google, job)
    (finding,) = redis_connect.run(ctx)
    assert (finding.outcome, finding.subject) == (Outcome.PASS, "probe job")
    (container,) = fake.bodies[0]["overrides"]["containerOverrides"]
    assert container["args"] == ["probe", "--redis", "--connections", "20", "--deadline", "7.5"]


# routing across checks


def _finding(rule: str, outcome: Outcome, classification: str = "") -> Finding:
    return Finding(rule=rule, outcome=outcome, message="m", classification=classification)


def test_a_failing_endpoint_with_reachable_dependencies_is_the_application_s() -> None:
    health = _finding("health-endpoints", Outcome.FAIL, FailureClass.INFRASTRUCTURE)
    database = _finding("database-connect", Outcome.PASS)
    redis = _finding("redis-connect", Outcome.PASS)
    routed = route_by_reachable_dependencies([health, database, redis], has_redis=True)
    assert routed[0] == Finding(
        rule="health-endpoints",
        outcome=Outcome.FAIL,
        message="m",
        classification=FailureClass.APPLICATION,
        evidence=(
            "the app's dependencies answered: database-connect passed, redis-connect passed",
        ),
    )
    assert routed[1:] == [database, redis]


@pytest.mark.parametrize(
    ("findings", "has_redis"),
    [
        # Redis in the stack but not measured: no evidence the app alone is at fault.
        ([_finding("database-connect", Outcome.PASS)], True),
        ([_finding("database-connect", Outcome.FAIL, FailureClass.INFRASTRUCTURE)], False),
        ([_finding("database-connect", Outcome.SKIPPED)], False),
    ],
)
def test_without_every_dependency_reached_the_endpoint_keeps_its_class(
    findings: list[Finding], has_redis: bool
) -> None:
    health = _finding("health-endpoints", Outcome.FAIL, FailureClass.INFRASTRUCTURE)
    assert route_by_reachable_dependencies([health, *findings], has_redis)[0] == health


def test_a_configuration_failure_stays_configuration() -> None:
    refused = _finding("health-endpoints", Outcome.FAIL, FailureClass.CONFIGURATION)
    database = _finding("database-connect", Outcome.PASS)
    assert route_by_reachable_dependencies([refused, database], False)[0] == refused


def test_the_stack_file_gives_what_the_outputs_leave_out() -> None:
    targets = from_outputs({}, "staging", "Pulumi.staging.yaml and flags", SETTINGS)
    assert (targets.project, targets.region, targets.probe_job) == (
        "acme-staging",
        "us-central1",
        "projects/acme-staging/locations/us-central1/jobs/backend-probe",
    )
    assert from_outputs({}, "local", "flags", None).probe_job is None


def test_a_validate_report_names_where_its_targets_came_from() -> None:
    from conduit.report.model import Report
    from conduit.report.render import RENDERERS

    report = Report(command="validate", stack="staging", findings=(), source="stack staging")
    assert RENDERERS["text"](report).splitlines()[0] == (
        "Validating staging: targets from stack staging"
    )


class _Unlogged(CloudRunStorm):
    """The probe job ran, and Cloud Logging never returned its task's result."""

    def __init__(self) -> None:
        super().__init__(None, "projects/p/locations/r/jobs/j")

    def probe_once(self, connections: int, deadline: float, target: tuple[str, ...] = ()):
        return None


def test_a_probe_job_that_logged_no_result_is_a_skip_saying_where_it_is_read_from() -> None:
    ctx = context(probe_job="projects/p/locations/r/jobs/j", redis_host="10.60.1.4")
    ctx.storm_runner = _Unlogged()
    reason = "the probe job ran but logged no result (Cloud Logging: the job's stdout)"
    for check in (database_connect, redis_connect):
        assert check.run(ctx) == [
            Finding(rule=check.ID, outcome=Outcome.SKIPPED, severity="low", message=reason)
        ]

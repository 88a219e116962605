"""The whole program per stack under the SDK mock runtime, and each component's key properties."""

from __future__ import annotations

import pytest
from google.protobuf import json_format

from conduit.components.apis import OPERATIONS_APIS, REDIS_API, REQUIRED_APIS
from conduit.core import facts
from conduit.preview.plan import plan_stack
from conduit.preview.sdk import SECRET_SIG, SIG_KEY
from tests.support.program import of_type, one, plan, probe_job, props, single_plan
from tests.support.project import single_service_config, stack_config

REQUIRED_TYPES = {
    "gcp:compute/network:Network",
    "gcp:compute/globalAddress:GlobalAddress",
    "gcp:servicenetworking/connection:Connection",
    "gcp:vpcaccess/connector:Connector",
    "gcp:sql/databaseInstance:DatabaseInstance",
    "gcp:sql/database:Database",
    "gcp:sql/user:User",
    "gcp:secretmanager/secret:Secret",
    "gcp:secretmanager/secretVersion:SecretVersion",
    "gcp:secretmanager/secretIamMember:SecretIamMember",
    "gcp:serviceaccount/account:Account",
    "gcp:cloudrunv2/service:Service",
    "gcp:projects/service:Service",
}


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_program_registers_every_required_type(stack: str) -> None:
    types = {r.type for r in plan(stack).recording.resources}
    assert REQUIRED_TYPES <= types, REQUIRED_TYPES - types


def test_components_parent_their_children() -> None:
    for record in plan("staging").recording.resources:
        if record.type.startswith(("gcp:", "random:")):
            qualified_type = record.urn.split("::")[2]
            assert qualified_type.startswith("conduit:"), f"{record.urn} has no component parent"


def _component_classes() -> set[type]:
    """Every component class that conduit.components defines."""
    import importlib
    import pkgutil

    import pulumi

    import conduit.components as package

    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        importlib.import_module(module.name)
    found: set[type] = set()
    pending = [pulumi.ComponentResource]
    while pending:
        for cls in pending.pop().__subclasses__():
            pending.append(cls)
            if cls.__module__.startswith(f"{package.__name__}."):
                found.add(cls)
    return found


def test_every_component_registers_its_outputs(monkeypatch) -> None:
    """Pulumi's contract: a component's last call registers what it made, never `{}` (the
    engine shows a component without outputs as still creating). staging-direct builds every
    component there is."""
    from google.protobuf import empty_pb2

    from conduit.preview.runner import RecordingMonitor
    from tests.support.project import ROOT

    registered: dict[str, dict] = {}

    def record(_monitor, request):
        registered[request.urn] = json_format.MessageToDict(request.outputs)
        return empty_pb2.Empty()

    monkeypatch.setattr(RecordingMonitor, "RegisterResourceOutputs", record, raising=False)
    components = [r for r in plan_stack(ROOT, "staging-direct").recording.resources if not r.custom]
    assert len({r.type for r in components}) == len(_component_classes())
    assert [r.urn for r in components if not registered.get(r.urn)] == []


def test_network_private_services_access_and_connector() -> None:
    p = plan("staging")
    urn, address = one(p, "gcp:compute/globalAddress:GlobalAddress")
    assert (address["purpose"], address["addressType"]) == ("VPC_PEERING", "INTERNAL"), urn
    assert (address["address"], address["prefixLength"]) == ("10.60.0.0", 16), urn
    urn, psa = one(p, "gcp:servicenetworking/connection:Connection")
    assert psa["service"] == "servicenetworking.googleapis.com", urn
    urn, connector = one(p, "gcp:vpcaccess/connector:Connector")
    expected = {
        "name": "staging-connector",
        "region": "us-central1",
        "ipCidrRange": "10.8.0.0/28",
        "machineType": "e2-standard-4",
        "minInstances": 3,
        "maxInstances": 10,
    }
    assert {k: connector[k] for k in expected} == expected, urn


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_database_is_private_encrypted_backed_up_and_protected(stack: str) -> None:
    p = plan(stack)
    urn, instance = one(p, "gcp:sql/databaseInstance:DatabaseInstance")
    settings = instance["settings"]
    ip = settings["ipConfiguration"]
    assert ip["ipv4Enabled"] is False, urn
    assert ip["sslMode"] == "ENCRYPTED_ONLY", urn
    assert ip["privateNetwork"].startswith("projects/"), urn
    assert instance["deletionProtection"] is True, urn
    assert settings["deletionProtectionEnabled"] is True, urn
    backup = settings["backupConfiguration"]
    assert backup["enabled"] and backup["pointInTimeRecoveryEnabled"], urn
    flags = {f["name"]: f["value"] for f in settings["databaseFlags"]}
    assert flags == {
        "max_connections": str(p.settings.database.max_connections),
        **facts.POSTGRES_AUDIT_FLAGS,
    }, urn
    assert settings["tier"] == p.settings.database.tier, urn
    assert settings["availabilityType"] == p.settings.database.availability, urn
    record = of_type(p, "gcp:sql/databaseInstance:DatabaseInstance")[0]
    psa = of_type(p, "gcp:servicenetworking/connection:Connection")[0]
    assert psa.urn in record.dependencies, f"{urn} does not wait for private services access"


def _env_of(record) -> dict[str, dict]:
    """A service's or a job's container env by name."""
    template = props(record)["template"]
    containers = template.get("containers") or template["template"]["containers"]
    return {e["name"]: e for e in containers[0]["envs"]}


def _account_of(record) -> str:
    template = props(record)["template"]
    return template.get("serviceAccount") or template["template"]["serviceAccount"]


@pytest.mark.parametrize("stack", ["staging", "staging-direct", "production"])
def test_one_database_user_per_client_its_password_in_a_secret_only_its_reader_is_granted(
    stack: str,
) -> None:
    p = plan(stack)
    users = {props(r)["name"]: r for r in of_type(p, "gcp:sql/user:User")}
    # backend and the probe log in; auth's requiredEnv reads no password: no user of its own.
    assert sorted(users) == ["app_backend", "app_probe"]
    for record in users.values():
        password = props(record)["password"]
        assert password.get(SIG_KEY) == SECRET_SIG, f"{record.urn} password is not a secret"
    services = {props(r)["name"]: r for r in of_type(p, "gcp:cloudrunv2/service:Service")}
    readers = {
        "app_backend": (services["backend"], "backend-db-password"),
        "app_probe": (probe_job(p), "backend-probe-db-password"),
    }
    grants = of_type(p, "gcp:secretmanager/secretIamMember:SecretIamMember")
    for user, (reader, secret_id) in readers.items():
        envs = _env_of(reader)
        assert envs["DATABASE_USER"]["value"] == user, reader.urn
        # The name is the user's output: the reader waits for its user.
        assert users[user].urn in reader.dependencies, reader.urn
        assert envs["DATABASE_PASSWORD"]["valueSource"]["secretKeyRef"] == {
            "secret": secret_id,
            "version": "latest",
        }, reader.urn
        granted = [
            props(g)["member"]
            for g in grants
            if props(g)["secretId"] == f"projects/{p.settings.project}/secrets/{secret_id}"
        ]
        assert granted == [f"serviceAccount:{_account_of(reader)}"], secret_id
    auth = _env_of(services["auth"])
    assert "DATABASE_USER" not in auth and "DATABASE_PASSWORD" not in auth, services["auth"].urn
    assert p.recording.stack_outputs["databaseUsers"] == {
        "backend": "app_backend",
        "probe": "app_probe",
    }


def test_a_one_service_stack_keeps_its_user_and_the_probe_logs_in_as_its_own() -> None:
    p = single_plan()
    users = {r.name: props(r)["name"] for r in of_type(p, "gcp:sql/user:User")}
    assert users == {"staging-user": "app", "staging-probe-user": "app_probe"}
    assert _env_of(probe_job(p))["DATABASE_USER"]["value"] == "app_probe"


def test_every_secret_the_stack_creates_is_protected_while_the_database_is(project_copy) -> None:
    p = plan("staging")
    (instance,) = of_type(p, "gcp:sql/databaseInstance:DatabaseInstance")
    secrets = of_type(p, "gcp:secretmanager/secret:Secret")
    assert instance.protect is True
    assert {r.name: r.protect for r in secrets} == {
        "staging-backend-db-password": True,
        "staging-backend-probe-db-password": True,
        "staging-jwt-secret-key": True,
        "staging-staging-redis-auth": True,
    }
    # The versions are not: a new value still rolls out as a new version.
    versions = of_type(p, "gcp:secretmanager/secretVersion:SecretVersion")
    assert versions and not any(v.protect for v in versions)
    config = stack_config()
    config["conduit:database"]["deletionProtection"] = False
    unprotected = plan_stack(project_copy(config), "staging")
    assert not any(r.protect for r in unprotected.recording.resources)


def test_secrets_have_versions_and_per_secret_accessors_for_the_service_account() -> None:
    p = single_plan()
    secrets = {props(r)["secretId"]: r for r in of_type(p, "gcp:secretmanager/secret:Secret")}
    # The probe job's own password beside the service's (one database user each).
    assert set(secrets) == {"jwt-secret-key", "backend-db-password", "backend-probe-db-password"}
    for record in secrets.values():
        assert "auto" in props(record)["replication"], record.urn
    versions = of_type(p, "gcp:secretmanager/secretVersion:SecretVersion")
    assert len(versions) == 3
    for version in versions:
        data = props(version)["secretData"]
        assert isinstance(data, dict) and "value" in data, f"{version.urn} data not secret"
    account = next(
        props(a)
        for a in of_type(p, "gcp:serviceaccount/account:Account")
        if props(a)["accountId"] == "backend-run"
    )
    email = f"{account['accountId']}@acme-staging.iam.gserviceaccount.com"
    members = _service_grants(p)
    assert len(members) == 2
    for member in members:
        binding = props(member)
        assert binding["role"] == "roles/secretmanager.secretAccessor", member.urn
        assert binding["member"] == f"serviceAccount:{email}", member.urn
        assert binding["secretId"].startswith("projects/acme-staging/secrets/"), member.urn


def _service_grants(p) -> list:
    """The services' accessor grants (the probe job has its own account and grants)."""
    return [
        r
        for r in of_type(p, "gcp:secretmanager/secretIamMember:SecretIamMember")
        if "conduit:service:Service$" in r.urn
    ]


def test_service_wiring() -> None:
    p = single_plan()
    urn, service = one(p, "gcp:cloudrunv2/service:Service")
    template = service["template"]
    (container,) = template["containers"]
    assert template["vpcAccess"] == {
        "connector": "projects/acme-staging/locations/us-central1/connectors/staging-connector",
        "egress": "PRIVATE_RANGES_ONLY",
    }, urn
    assert template["timeout"] == "300s", urn
    assert template["maxInstanceRequestConcurrency"] == 80, urn
    assert template["scaling"] == {"minInstanceCount": 1, "maxInstanceCount": 10}, urn
    assert template["serviceAccount"].endswith("@acme-staging.iam.gserviceaccount.com"), urn
    assert container["resources"]["startupCpuBoost"] is True, urn
    startup = container["startupProbe"]
    assert startup["httpGet"] == {"path": "/health"}, urn
    assert (startup["periodSeconds"], startup["failureThreshold"], startup["timeoutSeconds"]) == (
        10,
        12,
        5,
    ), urn
    assert container["livenessProbe"]["httpGet"] == {"path": "/health"}, urn
    envs = {e["name"]: e for e in container["envs"]}
    assert envs["DATABASE_POOL_SIZE"]["value"] == "20", urn
    assert envs["DATABASE_MAX_OVERFLOW"]["value"] == "10", urn
    assert envs["DATABASE_INIT_TIMEOUT_SECONDS"]["value"] == "75", urn
    assert envs["DATABASE_HOST"]["value"] == "10.60.0.3", urn
    assert envs["CLOUD_SQL_CONNECTION_NAME"]["value"].startswith("acme-staging:us-central1:"), urn
    for name, secret in (
        ("JWT_SECRET_KEY", "jwt-secret-key"),
        ("DATABASE_PASSWORD", "backend-db-password"),
    ):
        assert envs[name]["valueSource"]["secretKeyRef"] == {"secret": secret, "version": "latest"}
        assert "value" not in envs[name], f"{urn}: {name} has a literal value"
    # No Cloud SQL volume: the app reaches DATABASE_HOST through the connector, and the volume
    # would need roles/cloudsql.client, which the account does not have.
    assert "volumes" not in template and "volumeMounts" not in container, urn
    grants = {r.urn for r in _service_grants(p)}
    versions = {
        r.urn
        for r in of_type(p, "gcp:secretmanager/secretVersion:SecretVersion")
        if "backend-probe-db-password" not in r.urn  # the probe job's, not the service's
    }
    record = of_type(p, "gcp:cloudrunv2/service:Service")[0]
    assert grants <= set(record.dependencies), f"{urn} does not wait for its secret grants"
    assert versions <= set(record.dependencies), f"{urn} does not wait for the versions it reads"


def _invokers(p) -> list[tuple[str, str]]:
    return sorted(
        (props(m)["name"], props(m)["member"].split("@")[-1])
        for m in of_type(p, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember")
    )


def test_no_public_invoker_unless_asked(project_copy) -> None:
    # Only the uptime checkers' Monitoring service agent may invoke the services.
    agent = "gcp-sa-monitoring-notification.iam.gserviceaccount.com"
    assert _invokers(plan("staging")) == [("auth", agent), ("backend", agent)]
    config = stack_config()
    config["conduit:services"]["auth"]["publicInvoker"] = True
    public = plan_stack(project_copy(config), "staging")
    assert _invokers(public) == [("auth", "allUsers"), ("auth", agent), ("backend", agent)]


def test_outputs_for_the_validator_and_the_password_stays_secret() -> None:
    outputs = single_plan().recording.stack_outputs
    assert outputs["connectorId"].endswith("/connectors/staging-connector")
    assert outputs["sqlPrivateIp"] == "10.60.0.3"
    assert outputs["serviceUrl"].startswith("https://backend-")
    # A password one reader alone holds is keyed by its reader.
    assert outputs["secretIds"] == {
        "backend/DATABASE_PASSWORD": "backend-db-password",
        "probe/DATABASE_PASSWORD": "backend-probe-db-password",
        "JWT_SECRET_KEY": "jwt-secret-key",
    }
    assert outputs["successCriteria"]["startupSuccessRate"] == 0.9
    # No password output (issue #26): the services and the probe job read it from Secret Manager.
    assert "databasePassword" not in single_plan().recording.stack_outputs
    assert single_plan().recording.secret_outputs == set()


def test_probe_job_uses_the_service_s_path_and_its_own_identity() -> None:
    p = single_plan()
    record = probe_job(p)
    urn, job = record.urn, props(record)
    _, service = one(p, "gcp:cloudrunv2/service:Service")
    template = job["template"]
    task = template["template"]
    assert (template["taskCount"], template["parallelism"]) == (10, 10), urn
    assert task["vpcAccess"] == service["template"]["vpcAccess"], urn
    # Its own account (issue #26): not the service's, which also reads the app's secrets.
    assert task["serviceAccount"] != service["template"]["serviceAccount"], urn
    accounts = {props(a)["accountId"] for a in of_type(p, "gcp:serviceaccount/account:Account")}
    assert accounts == {"backend-run", "backend-probe-sa", "staging-probe-scheduler"}
    assert task["serviceAccount"] == "backend-probe-sa@acme-staging.iam.gserviceaccount.com", urn
    assert task["maxRetries"] == 0, urn
    (container,) = task["containers"]
    assert container["args"][:3] == ["probe", "--connections", "1"], urn
    envs = {e["name"]: e for e in container["envs"]}
    # Its own database user and password, not the service's (issue #26).
    assert envs["DATABASE_USER"]["value"] == "app_probe", urn
    assert envs["DATABASE_PASSWORD"]["valueSource"]["secretKeyRef"] == {
        "secret": "backend-probe-db-password",
        "version": "latest",
    }, urn
    assert envs["DATABASE_HOST"]["value"] == "10.60.0.3", urn
    outputs = p.recording.stack_outputs
    assert outputs["probeJob"] == "projects/acme-staging/locations/us-central1/jobs/backend-probe"
    record = probe_job(p)
    password = next(
        r
        for r in of_type(p, "gcp:secretmanager/secretVersion:SecretVersion")
        if "backend-probe-db-password" in r.urn
    )
    grants = [
        r
        for r in of_type(p, "gcp:secretmanager/secretIamMember:SecretIamMember")
        if "conduit:probe:ProbeJob$" in r.urn
    ]
    # The job's account reads its own password and nothing else.
    assert [props(g)["secretId"] for g in grants] == [
        "projects/acme-staging/secrets/backend-probe-db-password"
    ]
    assert all(props(g)["member"] == f"serviceAccount:{task['serviceAccount']}" for g in grants)
    assert {password.urn, *(g.urn for g in grants)} <= set(record.dependencies), urn


@pytest.mark.parametrize("stack", ["staging", "production", "staging-direct"])
def test_every_resource_waits_for_the_apis_it_is_created_through(stack: str) -> None:
    p = plan(stack)
    apis = of_type(p, "gcp:projects/service:Service")
    wanted = (*REQUIRED_APIS, REDIS_API, *OPERATIONS_APIS)
    assert sorted(props(r)["service"] for r in apis) == sorted(wanted)
    for record in apis:
        assert props(record)["disableOnDestroy"] is False, record.urn
    api_urns = {r.urn for r in apis}
    for record in p.custom_resources:
        if record.type != "gcp:projects/service:Service":
            assert api_urns <= set(record.dependencies), f"{record.urn} does not wait for the APIs"


def test_apis_are_left_alone_when_enable_apis_is_off(project_copy) -> None:
    config = stack_config()
    config["conduit:enableApis"] = False
    p = plan_stack(project_copy(config), "staging")
    assert not of_type(p, "gcp:projects/service:Service")
    assert all(
        not r.dependencies or "gcp:projects/service:Service::" not in " ".join(r.dependencies)
        for r in p.custom_resources
    )


def test_two_names_one_secret_is_one_secret_one_version_one_grant(project_copy) -> None:
    """The incident's drift fixed by giving the secret both names: no duplicate URN."""
    config = single_service_config()
    config["conduit:secrets"] = {"JWT_SECRET": "jwt-secret-key", "JWT_SECRET_KEY": "jwt-secret-key"}
    p = plan_stack(project_copy(config), "staging")
    secrets = sorted(props(r)["secretId"] for r in of_type(p, "gcp:secretmanager/secret:Secret"))
    assert secrets == ["backend-db-password", "backend-probe-db-password", "jwt-secret-key"]
    assert len(of_type(p, "gcp:secretmanager/secretVersion:SecretVersion")) == 3
    # jwt + the service's and the probe job's database passwords
    assert len(of_type(p, "random:index/randomPassword:RandomPassword")) == 3
    grants = _service_grants(p)
    assert sorted(props(g)["secretId"] for g in grants) == [
        "projects/acme-staging/secrets/backend-db-password",
        "projects/acme-staging/secrets/jwt-secret-key",
    ]
    urn, service = one(p, "gcp:cloudrunv2/service:Service")
    envs = {e["name"]: e for e in service["template"]["containers"][0]["envs"]}
    for name in ("JWT_SECRET", "JWT_SECRET_KEY"):
        assert envs[name]["valueSource"]["secretKeyRef"] == {
            "secret": "jwt-secret-key",
            "version": "latest",
        }, urn
    assert p.recording.stack_outputs["secretIds"] == {
        "backend/DATABASE_PASSWORD": "backend-db-password",
        "probe/DATABASE_PASSWORD": "backend-probe-db-password",
        "JWT_SECRET": "jwt-secret-key",
        "JWT_SECRET_KEY": "jwt-secret-key",
    }


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_the_whole_system_two_services_one_connector_database_and_redis(stack: str) -> None:
    p = plan(stack)
    counts = {
        t: len(of_type(p, t))
        for t in (
            "gcp:cloudrunv2/service:Service",
            "gcp:vpcaccess/connector:Connector",
            "gcp:sql/databaseInstance:DatabaseInstance",
            "gcp:redis/instance:Instance",
            "gcp:serviceaccount/account:Account",
        )
    }
    # Two runtime accounts, the probe job's and the scheduler's own (continuous validation).
    assert list(counts.values()) == [2, 1, 1, 1, 4]
    _, redis = one(p, "gcp:redis/instance:Instance")
    assert (redis["connectMode"], redis["authEnabled"], redis["transitEncryptionMode"]) == (
        "PRIVATE_SERVICE_ACCESS",
        True,
        "SERVER_AUTHENTICATION",
    )
    accounts = {
        props(r)["accountId"]: props(r) for r in of_type(p, "gcp:serviceaccount/account:Account")
    }
    assert set(accounts) == {
        "backend-run",
        "auth-run",
        "backend-probe-sa",
        f"{stack}-probe-scheduler",
    }
    # Each service reads its own secrets through its own account: one grant per (service, secret).
    grants = sorted(
        (props(g)["member"].split("@")[0], props(g)["secretId"].rsplit("/", 1)[-1])
        for g in of_type(p, "gcp:secretmanager/secretIamMember:SecretIamMember")
    )
    # Only what each one's contract reads: auth's requiredEnv has no DATABASE_PASSWORD; the probe
    # job reads its own user's password and the AUTH string through its own account.
    assert grants == sorted(
        [
            ("serviceAccount:auth-run", f"{stack}-redis-auth"),
            ("serviceAccount:auth-run", "jwt-secret-key"),
            ("serviceAccount:backend-probe-sa", "backend-probe-db-password"),
            ("serviceAccount:backend-probe-sa", f"{stack}-redis-auth"),
            ("serviceAccount:backend-run", "backend-db-password"),
            ("serviceAccount:backend-run", f"{stack}-redis-auth"),
            ("serviceAccount:backend-run", "jwt-secret-key"),
        ]
    )
    for record in of_type(p, "gcp:cloudrunv2/service:Service"):
        service = props(record)
        envs = {e["name"]: e for e in service["template"]["containers"][0]["envs"]}
        assert envs["REDIS_HOST"]["value"] == "10.60.1.4", record.urn
        assert (envs["REDIS_PORT"]["value"], envs["REDIS_TLS"]["value"]) == ("6378", "true")
        assert envs["REDIS_CA_CERT"]["value"].startswith("-----BEGIN CERTIFICATE-----")
        assert envs["REDIS_AUTH"]["valueSource"]["secretKeyRef"] == {
            "secret": f"{stack}-redis-auth",
            "version": "latest",
        }, record.urn
        assert "value" not in envs["REDIS_AUTH"], f"{record.urn}: AUTH string in clear"
        port = service["template"]["containers"][0]["ports"]["containerPort"]
        assert (service["name"], port) in {("backend", 8000), ("auth", 8081)}
    # The probe job reaches Redis as its service does (conduit probe --redis).
    job = props(probe_job(p))
    job_envs = {e["name"]: e for e in job["template"]["template"]["containers"][0]["envs"]}
    assert job_envs["REDIS_HOST"]["value"] == "10.60.1.4"
    assert job_envs["REDIS_AUTH"]["valueSource"]["secretKeyRef"]["secret"] == f"{stack}-redis-auth"
    outputs = p.recording.stack_outputs
    assert set(outputs["services"]) == {"backend", "auth"}
    assert outputs["services"]["auth"]["healthEndpoints"] == ["/health"]
    assert (outputs["redisHost"], outputs["redisPort"]) == ("10.60.1.4", 6378)
    assert "serviceUrl" not in outputs


def _places(value: object, secret: str, wrapped: bool = False) -> list[bool]:
    """For every place `secret` occurs in `value`: whether it sits in a secret envelope."""
    if isinstance(value, dict):
        envelope = value.get(SIG_KEY) == SECRET_SIG
        return [p for v in value.values() for p in _places(v, secret, wrapped or envelope)]
    if isinstance(value, list):
        return [p for v in value for p in _places(v, secret, wrapped)]
    return [wrapped] if isinstance(value, str) and secret in value else []


def test_no_secret_value_reaches_any_input_or_output_in_clear() -> None:
    """The generated database passwords and the Redis AUTH string travel only as secrets."""
    p = plan("staging")
    versions = of_type(p, "gcp:secretmanager/secretVersion:SecretVersion")
    values = {r.name: json_format.MessageToDict(r.inputs)["secretData"]["value"] for r in versions}
    generated = (
        values["staging-staging-redis-auth-v"],
        values["staging-backend-db-password-v"],
        values["staging-backend-probe-db-password-v"],
    )
    for secret in generated:
        places = [
            place
            for record in p.recording.resources
            for message in (record.inputs, record.outputs)
            for place in _places(json_format.MessageToDict(message), secret)
        ]
        assert places and all(places), "a secret value appears in clear"
    assert p.recording.secret_outputs == set()


def test_the_makefile_byte_compiles_every_pulumi_gcp_service_the_program_loads() -> None:
    """make's install compiles only the services in GCP_SERVICES: a service the program uses
    but the list lacks would be compiled again on every preview where bytecode is not written."""
    import re
    import sys
    import types

    from tests.support.project import ROOT

    for stack in ("staging", "production"):
        plan(stack)
    single_plan()
    # pulumi_gcp registers every service lazily; a service the program touched is a plain module.
    # (Its top-level modules are always compiled; only its service packages are chosen.)
    loaded = {
        name.split(".")[1]
        for name, module in list(sys.modules.items())
        if name.startswith("pulumi_gcp.")
        and type(module) is types.ModuleType
        and hasattr(module, "__path__")
    }
    (line,) = re.findall(r"^GCP_SERVICES := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert loaded <= set(line.split()), sorted(loaded - set(line.split()))

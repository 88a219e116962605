"""The Conduit Pulumi program: settings from the stack's config, components, stack outputs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi import ResourceOptions
from pulumi.runtime import config as runtime_config

from conduit.components import operations
from conduit.components.apis import OPERATIONS_APIS, REDIS_API, REQUIRED_APIS, ProjectApis
from conduit.components.database import Database, DatabaseArgs, DatabaseUserArgs
from conduit.components.image_access import ImageAccess, ImageAccessArgs
from conduit.components.network import Network, NetworkArgs
from conduit.components.operations.schedules import ScheduledJob
from conduit.components.probe_job import ProbeJob, ProbeJobArgs
from conduit.components.redis import Redis, RedisArgs
from conduit.components.secrets import Secrets, SecretsArgs
from conduit.components.service import Service, ServiceArgs
from conduit.components.wiring import PASSWORD_ENV, REDIS_AUTH_ENV, DatabaseWiring, RedisWiring
from conduit.core import connection_urls, names, probe_runs
from conduit.core.images import Repository, foreign_repository
from conduit.core.loader import SECRET_VALUES_KEY, KeyLines, SettingsError, parse_settings
from conduit.core.settings import DatabaseLogin, StackSettings
from conduit.core.settings.runtime import PROBE_JOB_KEY


def settings_from_runtime() -> StackSettings:
    """The stack's settings from the runtime's config, through the same parser as the file."""
    config: dict[str, Any] = {}
    for key, value in runtime_config.CONFIG.get().items():
        # The engine hands structured config over as JSON text.
        config[key] = decode_config_value(value)
    source = f"Pulumi.{pulumi.get_stack()}.yaml"
    # Under the Pulumi CLI the names under conduit:secretValues are known (decrypted); offline
    # the encrypted ones are left out, and the file's names were judged before the program ran.
    valued = config.get(SECRET_VALUES_KEY)
    try:
        return parse_settings(
            config,
            source,
            lines=KeyLines.of_file(Path(source)),
            secret_names=frozenset(valued) if isinstance(valued, dict) else None,
        )
    except SettingsError as error:
        raise pulumi.RunError(f"invalid stack settings:\n{error}") from None


def decode_config_value(value: Any) -> Any:
    """A config value as the engine hands it over, as the program reads it."""
    # Structures arrive as JSON text, booleans as "true"/"false" (as `conduit:enableApis`).
    if isinstance(value, str) and (value[:1] in ("{", "[") or value in ("true", "false")):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def secret_values() -> dict[str, pulumi.Input[str]]:
    """Secret values set with `pulumi config set --secret --path conduit:secretValues.NAME`."""
    raw = decode_config_value(runtime_config.CONFIG.get().get(SECRET_VALUES_KEY)) or {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        # Never echo the values: they are secrets.
        raise pulumi.RunError(
            f"Pulumi.{pulumi.get_stack()}.yaml: {SECRET_VALUES_KEY}: must map env var names to "
            "string values"
        )
    return {name: pulumi.Output.secret(value) for name, value in raw.items()}


@dataclass(frozen=True)
class Stack:
    """The built components, for the outputs and for tests."""

    apis: ProjectApis | None
    network: Network
    database: Database
    secrets: Secrets
    services: dict[str, Service]
    """By service name, in file order."""
    probe_job: ProbeJob | None
    redis: Redis | None = None
    operations: operations.Operations | None = None


def build(settings: StackSettings, values: dict[str, pulumi.Input[str]] | None = None) -> Stack:
    """Create every component of the stack from its settings."""
    # Every derived name starts with the prefix: the environment unless conduit:namePrefix.
    env = settings.prefix
    watched = settings.alerting is not None or settings.continuous_validation is not None
    wanted_apis = (
        *REQUIRED_APIS,
        *((REDIS_API,) if settings.redis else ()),
        *(OPERATIONS_APIS if watched else ()),
    )
    apis = ProjectApis(env, wanted_apis) if settings.enable_apis else None
    # Every resource waits for the APIs it is created through.
    after_apis = ResourceOptions(depends_on=apis.services) if apis else None
    network = Network(
        env, NetworkArgs(settings=settings.network, region=settings.region), after_apis
    )
    database = Database(
        env,
        DatabaseArgs(
            settings=settings.database,
            region=settings.region,
            network_id=network.network_id,
            private_services_connection=network.private_services_connection,
            probe_connections=settings.probe_peak_connections,
            probe_connections_key=settings.probe_peak_key,
            users=tuple(
                DatabaseUserArgs(login.label, login.user, login.settings_key)
                for login in settings.database_logins
            ),
        ),
        after_apis,
    )
    # Images in another project's registry: the Cloud Run agent must be let read them first.
    images = {f"{key}.image": svc.image for key, svc in settings.services.items()}
    if settings.probe_job is not None:
        images["conduit:probeJob.image"] = settings.probe_job.image
    foreign: dict[Repository, str] = {}
    for key, image in images.items():
        repo = foreign_repository(image, settings.project)
        if repo is not None:
            foreign.setdefault(repo, key)
    image_access = (
        ImageAccess(f"{env}-images", ImageAccessArgs(settings.project, foreign), after_apis)
        if foreign
        else None
    )
    waits = [*(apis.services if apis else []), *(image_access.grants if image_access else [])]
    after_images = ResourceOptions(depends_on=waits) if waits else None
    redis = None
    # Each login's password in a secret of its own, keyed by its one reader.
    generated_ids: dict[str, str] = {}
    generated_values: dict[str, pulumi.Input[str]] = {}
    generated_keys: dict[str, str] = {}
    for login in settings.database_logins:
        if login.password_secret_id is not None:
            slot = names.reader_key(login.reader, PASSWORD_ENV)
            generated_ids[slot] = login.password_secret_id
            generated_values[slot] = database.users[login.label].password
            generated_keys[slot] = login.settings_key
    if settings.redis is not None:
        redis = Redis(
            env,
            RedisArgs(
                settings=settings.redis,
                instance_id=settings.redis_instance_id,
                region=settings.region,
                network_id=network.network_id,
                private_services_connection=network.private_services_connection,
                persistent=settings.environment == "production",
            ),
            after_apis,
        )
        if redis.auth_string is not None:
            generated_ids[REDIS_AUTH_ENV] = settings.redis_auth_secret_id
            generated_values[REDIS_AUTH_ENV] = redis.auth_string
    composed_ids, composed_values, composed_keys = _composed(settings, database, redis)
    secrets = Secrets(
        env,
        SecretsArgs(
            secret_ids={**settings.secrets, **generated_ids, **composed_ids},
            values={**(values or {}), **generated_values, **composed_values},
            sources={
                **dict.fromkeys(generated_keys, "generated"),
                REDIS_AUTH_ENV: "instance",
                **{env_name: "composed" for env_name in composed_ids},
            },
            external_ids=settings.external_secrets,
            settings_keys={
                **generated_keys,
                REDIS_AUTH_ENV: "conduit:redis.authEnabled",
                **composed_keys,
                **{env_name: f"conduit:secrets.{env_name}" for env_name in settings.secrets},
                **{
                    env_name: f"conduit:externalSecrets.{env_name}"
                    for env_name in settings.external_secrets
                },
            },
            # The credentials of a database that outlives a destroy outlive it too: one switch
            # (README: Destroying a stack) for the instance and every secret the stack creates.
            protect=settings.database.deletion_protection,
        ),
        after_apis,
    )

    def wiring(login: DatabaseLogin | None) -> DatabaseWiring:
        """The database as one client sees it: its own user and password, or neither."""
        slot = names.reader_key(login.reader, PASSWORD_ENV) if login else ""
        return DatabaseWiring(
            host=database.private_ip,
            name=database.database_name,
            user=database.users[login.label].name if login else None,
            connection_name=database.connection_name,
            password=secrets.refs.get(slot),
            ca_certificate=database.ca_certificate,
        )

    redis_wiring = None
    if redis is not None and settings.redis is not None:
        redis_wiring = RedisWiring(
            host=redis.host,
            port=redis.port,
            tls=settings.redis.transit_encryption != "DISABLED",
            ca_certificate=redis.ca_certificate,
            auth=secrets.refs.get(REDIS_AUTH_ENV),
        )
    services: dict[str, Service] = {}
    for key, svc in settings.services.items():
        # The generated secrets reach a service through its wiring, never by default.
        shared = sorted(n for n in secrets.refs if n not in {**generated_ids, **composed_ids})
        declared = settings.declared_service_names[key]
        received = {
            n: secrets.refs[n] for n in (svc.secrets if svc.secrets is not None else shared)
        }
        if svc.database_url_env is not None:
            slot = names.reader_key(declared, svc.database_url_env)
            received[svc.database_url_env] = secrets.refs[slot]
        if svc.redis_url_env is not None:
            received[svc.redis_url_env] = secrets.refs[svc.redis_url_env]
        services[svc.name] = Service(
            # One service per stack keeps the names it always had.
            settings.service_resource_name(key),
            ServiceArgs(
                settings=svc,
                region=settings.region,
                vpc=network.egress,
                database=wiring(settings.database_login(key)),
                secrets=received,
                settings_key=key,
                redis=redis_wiring if svc.redis else None,
            ),
            after_images,
        )
    probe_job = None
    job_name = settings.probe_job_name
    if settings.probe_job is not None and job_name is not None:
        owner = settings.probe_service
        probe_job = ProbeJob(
            env,
            ProbeJobArgs(
                settings=settings.probe_job,
                name=job_name,
                region=settings.region,
                vpc=network.egress,
                egress=owner.egress,
                database=wiring(settings.database_login(PROBE_JOB_KEY)),
                redis=redis_wiring if owner.redis else None,
                runs=tuple(probe_runs.runs(settings)),
            ),
            after_images,
        )
    watching = None
    if watched:
        watching = operations.Operations(
            env,
            operations.OperationsArgs(
                settings=settings,
                stack=pulumi.get_stack(),
                database_connection_name=database.connection_name,
                service_urls={name: service.uri for name, service in services.items()},
                service_names={name: service.name for name, service in services.items()},
                scheduled_jobs=_scheduled_jobs(settings, probe_job),
            ),
            after_apis,
        )
    return Stack(apis, network, database, secrets, services, probe_job, redis, watching)


def _scheduled_jobs(settings: StackSettings, job: ProbeJob | None) -> tuple[ScheduledJob, ...]:
    """Each scheduled run with the job that runs it: the probe job, or the tier's own."""
    if job is None:
        return ()
    own = (job.job_id, job.job_name)
    return tuple(
        ScheduledJob(run, *(own if run.args is None else job.tier_jobs[run.suffix]))
        for run in probe_runs.runs(settings)
    )


def _composed(
    settings: StackSettings, database: Database, redis: Redis | None
) -> tuple[dict[str, str], dict[str, pulumi.Input[str]], dict[str, str]]:
    """The connection URLs services ask for (databaseUrlEnv, redisUrlEnv): secret ids, values
    built from the instances' outputs (a secret from the start) and the settings key that asks,
    by key: a database URL holds its service's own user, so it is keyed by the service
    (`<service>/<env name>`); a Redis URL by its env name, whoever reads it."""
    ids: dict[str, str] = {}
    values: dict[str, pulumi.Input[str]] = {}
    keys: dict[str, str] = {}
    for key, service in settings.services.items():
        login = settings.database_login(key)
        if service.database_url_env is not None and login is not None:
            slot = names.reader_key(login.reader, service.database_url_env)
            user = database.users[login.label]
            ids[slot] = settings.database_url_secret_id(key)
            keys[slot] = f"{key}.databaseUrlEnv"
            values[slot] = pulumi.Output.secret(
                pulumi.Output.all(
                    user.name, user.password, database.private_ip, database.database_name
                ).apply(lambda parts: connection_urls.postgres(*parts))
            )
        if service.redis_url_env is not None and redis is not None and settings.redis:
            tls = settings.redis.transit_encryption != "DISABLED"
            ids[service.redis_url_env] = settings.composed_secret_id(service.redis_url_env)
            keys.setdefault(service.redis_url_env, f"{key}.redisUrlEnv")
            auth = redis.auth_string if redis.auth_string is not None else ""
            values[service.redis_url_env] = pulumi.Output.secret(
                pulumi.Output.all(redis.host, redis.port, auth).apply(
                    lambda parts, tls=tls: connection_urls.redis(*parts, tls=tls)  # type: ignore[misc]
                )
            )
    return ids, values, keys


def export_outputs(settings: StackSettings, stack: Stack) -> None:
    """The outputs `conduit validate` reads (`pulumi stack output --json`)."""
    declared = {svc.name: svc for svc in settings.services.values()}
    pulumi.export(
        "services",
        {
            name: {"url": service.uri, "healthEndpoints": list(declared[name].health_endpoints)}
            for name, service in stack.services.items()
        },
    )
    single = settings.single_service
    if single is not None:
        # What the validator reads of a one-service stack.
        (service,) = stack.services.values()
        pulumi.export("serviceName", service.name)
        pulumi.export("serviceUrl", service.uri)
        pulumi.export("healthEndpoints", list(single.health_endpoints))
    pulumi.export("region", settings.region)
    pulumi.export("project", settings.project)
    pulumi.export("egressPath", settings.network.egress)
    if stack.network.connector_id is not None:
        pulumi.export("connectorId", stack.network.connector_id)
    if stack.network.subnet_id is not None:
        pulumi.export("subnetId", stack.network.subnet_id)
    pulumi.export("sqlConnectionName", stack.database.connection_name)
    pulumi.export("sqlPrivateIp", stack.database.private_ip)
    pulumi.export("databaseName", stack.database.database_name)
    # Who logs in as whom: one user per client (issue #26).
    pulumi.export(
        "databaseUsers",
        {
            login.reader: stack.database.users[login.label].name
            for login in settings.database_logins
        },
    )
    pulumi.export("secretIds", stack.secrets.secret_ids)
    pulumi.export("successCriteria", settings.success_criteria.model_dump(by_alias=True))
    if stack.probe_job is not None:
        pulumi.export("probeJob", stack.probe_job.job_id)
    if stack.redis is not None:
        pulumi.export("redisHost", stack.redis.host)
        pulumi.export("redisPort", stack.redis.port)

"""The runtime settings: what the program, the preview and the validator read, computed once from
the validated stack file (every service named, every derived name worked out)."""

from __future__ import annotations

from dataclasses import dataclass

from conduit.core import names
from conduit.core.settings.database import DatabaseSettings
from conduit.core.settings.network import NetworkSettings
from conduit.core.settings.operations import (
    AlertingSettings,
    ContinuousValidationSettings,
    ProbeJobSettings,
    SuccessCriteria,
)
from conduit.core.settings.redis import RedisSettings
from conduit.core.settings.service import ServiceSettings

PROBE_JOB_KEY = "conduit:probeJob"


@dataclass(frozen=True)
class DatabaseLogin:
    """One built-in database user of the stack and who alone logs in as it: a service, or the
    probe job (issue #26: one user per client, never one shared)."""

    reader: str
    """Who connects: a service's declared name, or `probe` (names.PROBE_DATABASE_CLIENT)."""
    settings_key: str
    """The settings block of the reader (`conduit:services.backend`, `conduit:probeJob`)."""
    user: str
    """The Cloud SQL user's name."""
    password_secret_id: str | None
    """The Secret Manager secret that holds its password; None when the reader reads only its
    composed URL (databaseUrlEnv)."""
    label: str
    """What its resources are named after; "" for the service of a one-service stack, which
    keeps the names (and the user) it always had."""


@dataclass(frozen=True)
class StackSettings:
    """Every setting of one stack, services named and derived names resolved."""

    project: str
    region: str
    environment: str
    effective_grade: str
    """The grade as set, else production for the production environment, else standard."""
    name_prefix: str | None
    network: NetworkSettings
    database: DatabaseSettings
    services: dict[str, ServiceSettings]
    """Every service by the settings key of its block (`conduit:service` or
    `conduit:services.<name>`), in file order, under its physical name."""
    declared_service_names: dict[str, str]
    """Each service's name as the stack file gives it, by settings key."""
    secrets: dict[str, str]
    external_secrets: dict[str, str]
    success_criteria: SuccessCriteria
    probe_job: ProbeJobSettings | None
    redis: RedisSettings | None
    alerting: AlertingSettings | None
    continuous_validation: ContinuousValidationSettings | None
    enable_apis: bool

    @property
    def prefix(self) -> str:
        """What the stack's derived names start with: namePrefix, else the environment."""
        return names.prefix(self.environment, self.name_prefix)

    @property
    def single_service(self) -> ServiceSettings | None:
        """The service of a one-service stack (`conduit:service`), else None."""
        return self.services.get(names.SINGLE_SERVICE_KEY)

    def service_resource_name(self, key: str) -> str:
        """The Pulumi name of the component of the service under settings key `key`."""
        return names.service_resource_name(
            self.environment, self.name_prefix, key, self.declared_service_names[key]
        )

    @property
    def probe_service(self) -> ServiceSettings:
        """The service whose egress path the probe job shares: `probeJob.service`, else the first
        by key that connects to the database, else the first by key. By key, not by the file's
        order: the Pulumi CLI hands a config object to the program with its keys sorted, the
        offline preview in the file's order, and both must choose the same service."""
        chosen = self.probe_job.service if self.probe_job else None
        declared = self.declared_service_names
        by_key = sorted(self.services.items())
        if chosen is not None:
            return next(s for k, s in by_key if declared[k] == chosen)
        return next((s for _, s in by_key if s.connects_to_database), by_key[0][1])

    @property
    def probe_job_name(self) -> str | None:
        """The probe job's name (after the service it runs as), when the stack has one."""
        return names.probe_job_name(self.probe_service.name) if self.probe_job else None

    @property
    def probe_peak_connections(self) -> int:
        """The most connections the validator's probes open at once: database-connect's
        concurrentConnections or the probe job's storm, whichever is larger."""
        return max(self.success_criteria.concurrent_connections, self._storm_connections)

    @property
    def probe_peak_key(self) -> str:
        """The settings key that sets `probe_peak_connections`: the storm's tasks when the storm
        opens more than concurrentConnections, else concurrentConnections."""
        if self._storm_connections > self.success_criteria.concurrent_connections:
            return "conduit:probeJob.tasks"
        return "conduit:successCriteria.concurrentConnections"

    @property
    def _storm_connections(self) -> int:
        job = self.probe_job
        return job.tasks * job.connections_per_task if job else 0

    @property
    def database_logins(self) -> tuple[DatabaseLogin, ...]:
        """A database user for each service that logs in (it reads the password or its URL),
        then the probe job's: each with its own password in its own secret."""
        base = self.database.user_name
        logins = []
        one = len(self.services) == 1
        for key, service in self.services.items():
            if not service.connects_to_database:
                continue
            declared = self.declared_service_names[key]
            secret_id = (
                names.stack_password_secret_id(self.environment, self.name_prefix, (service.name,))
                if one
                else names.database_password_secret_id(service.name)
            )
            logins.append(
                DatabaseLogin(
                    reader=declared,
                    settings_key=key,
                    user=base if one else names.database_user_name(base, declared),
                    password_secret_id=secret_id if service.reads_database_password else None,
                    label="" if one else declared,
                )
            )
        job = self.probe_job_name
        if job is not None:
            logins.append(
                DatabaseLogin(
                    reader=names.PROBE_DATABASE_CLIENT,
                    settings_key=PROBE_JOB_KEY,
                    user=names.database_user_name(base, names.PROBE_DATABASE_CLIENT),
                    password_secret_id=names.database_password_secret_id(job),
                    label=names.PROBE_DATABASE_CLIENT,
                )
            )
        return tuple(logins)

    def database_login(self, settings_key: str) -> DatabaseLogin | None:
        """The database user of the reader whose settings block is `settings_key`, if it has one."""
        return next((x for x in self.database_logins if x.settings_key == settings_key), None)

    def database_url_secret_id(self, settings_key: str) -> str:
        """The secret of the database URL composed for one service (with its own user): named
        after the env name alone while one service asks for it, after the service when several
        do (each URL holds another user)."""
        service = self.services[settings_key]
        env_name = service.database_url_env
        assert env_name is not None, settings_key
        askers = [s for s in self.services.values() if s.database_url_env == env_name]
        owner = service.name if len(askers) > 1 else self.prefix
        return names.composed_secret_id(owner, env_name)

    def composed_secret_id(self, env_name: str) -> str:
        """The secret that holds the connection URL composed for env var `env_name`."""
        return names.composed_secret_id(self.prefix, env_name)

    @property
    def composed_env_keys(self) -> dict[str, str]:
        """Each composed env name -> the settings key that asks for it (the first one)."""
        keys: dict[str, str] = {}
        for key, service in self.services.items():
            if service.database_url_env is not None:
                keys.setdefault(service.database_url_env, f"{key}.databaseUrlEnv")
            if service.redis_url_env is not None:
                keys.setdefault(service.redis_url_env, f"{key}.redisUrlEnv")
        return keys

    @property
    def redis_auth_secret_id(self) -> str:
        """The secret that holds the Redis instance's AUTH string."""
        return names.redis_auth_secret_id(self.prefix)

    @property
    def redis_instance_id(self) -> str:
        """The Memorystore instance's id."""
        return names.redis_instance_id(self.prefix)

"""The stack settings: frozen, strict pydantic models of the `conduit:*` keys of a stack file.

Secrets are never fields here: their values stay Pulumi secret outputs.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic.alias_generators import to_camel

from conduit.core import cron, facts, names, suggest, teams

EnvVarName = Annotated[str, StringConstraints(pattern=facts.ENV_VAR_NAME_PATTERN)]
SecretId = Annotated[str, StringConstraints(pattern=facts.SECRET_ID_PATTERN)]
HttpPath = Annotated[str, StringConstraints(pattern=r"^/[^\s]*$")]

Grade = Literal["production", "standard"]
GRADES: tuple[str, ...] = ("production", "standard")
ENVIRONMENT_PATTERN = r"^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$"
NAME_PREFIX_PATTERN = r"^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$"
"""Lower case, digits and dashes, at most 20 characters: every name derived from it must still
fit its Google Cloud pattern (checked by StackSettings for the names of each stack)."""


class CrossFieldError(ValueError):
    """A cross-field rule broken; `key` is the camelCase key the message is about."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class Model(BaseModel):
    """Base of every settings model: camelCase keys, no unknown keys, no coercion, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=False,
        validate_by_alias=True,
        extra="forbid",
        frozen=True,
        strict=True,
        # The docstrings under the fields are the schema's descriptions (stack.schema.json).
        use_attribute_docstrings=True,
    )


def _ipv4_network(value: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value)
    except ValueError as error:
        raise ValueError(f"not an IPv4 CIDR range ({error})") from None


def _cidr_28(value: str) -> str:
    network = _ipv4_network(value)
    if network.prefixlen != facts.CONNECTOR_PREFIX_LENGTH:
        raise ValueError(f"must be a /28 (16 addresses), got /{network.prefixlen}")
    return value


def _private_services_range(value: str) -> str:
    network = _ipv4_network(value)
    if network.prefixlen > facts.PRIVATE_SERVICES_MAX_PREFIX:
        raise ValueError(f"must be /24 or larger (/16 recommended), got /{network.prefixlen}")
    if not network.is_private:
        raise ValueError("must be a private range")
    return value


def _tier(value: str) -> str:
    try:
        facts.parse_tier(value)
    except facts.TierError as error:
        raise ValueError(str(error)) from None
    return value


class ConnectorSettings(Model):
    """The Serverless VPC Access connector."""

    name: Annotated[str, StringConstraints(pattern=facts.CONNECTOR_NAME_PATTERN)]
    ip_cidr_range: Annotated[str, AfterValidator(_cidr_28)]
    machine_type: facts.ConnectorMachineType = facts.CONNECTOR_DEDICATED_MACHINE_TYPE
    min_instances: Annotated[
        int, Field(ge=facts.CONNECTOR_MIN_INSTANCES[0], le=facts.CONNECTOR_MIN_INSTANCES[1])
    ] = 3
    max_instances: Annotated[
        int, Field(ge=facts.CONNECTOR_MAX_INSTANCES[0], le=facts.CONNECTOR_MAX_INSTANCES[1])
    ] = 10

    @model_validator(mode="after")
    def _min_below_max(self) -> ConnectorSettings:
        if self.min_instances >= self.max_instances:
            raise CrossFieldError(
                "minInstances",
                f"minInstances ({self.min_instances}) must be less than maxInstances "
                f"({self.max_instances})",
            )
        return self


def _direct_vpc_subnet(value: str) -> str:
    network = _ipv4_network(value)
    if network.prefixlen > facts.DIRECT_VPC_MAX_PREFIX:
        raise ValueError(
            f"must be /{facts.DIRECT_VPC_MAX_PREFIX} or larger for Direct VPC egress (Cloud Run "
            f"reserves addresses 16 at a time), got /{network.prefixlen}"
        )
    if not any(network.subnet_of(ipaddress.IPv4Network(r)) for r in facts.SUBNET_RANGES):
        raise ValueError(f"must lie in {', '.join(facts.SUBNET_RANGES)}")
    return value


class SubnetSettings(Model):
    """The regional subnet Cloud Run's instances take their addresses from (Direct VPC egress)."""

    name: Annotated[str, StringConstraints(pattern=facts.SUBNET_NAME_PATTERN)]
    ip_cidr_range: Annotated[str, AfterValidator(_direct_vpc_subnet)]


class NetworkSettings(Model):
    """The VPC network, private services access, and the egress path: the connector, or a subnet
    for Direct VPC egress."""

    egress: facts.EgressPath = "connector"
    connector: ConnectorSettings | None = None
    subnet: SubnetSettings | None = None
    private_services_range: Annotated[str, AfterValidator(_private_services_range)]

    @model_validator(mode="after")
    def _one_egress_path(self) -> NetworkSettings:
        wanted, other = (
            ("connector", "subnet") if self.egress == "connector" else ("subnet", "connector")
        )
        if getattr(self, wanted) is None:
            raise CrossFieldError(wanted, f"egress {self.egress} needs a {wanted} block")
        if getattr(self, other) is not None:
            raise CrossFieldError(
                other,
                f"egress {self.egress} takes no {other} block (a {other} belongs to egress "
                f"{'direct' if other == 'subnet' else 'connector'}; allowed egress: "
                f"{' | '.join(facts.EGRESS_PATHS)})",
            )
        if self.subnet is not None:
            subnet = ipaddress.IPv4Network(self.subnet.ip_cidr_range)
            psa = ipaddress.IPv4Network(self.private_services_range)
            if subnet.overlaps(psa):
                raise CrossFieldError(
                    "subnet.ipCidrRange",
                    f"{subnet} overlaps privateServicesRange {psa}: Google refuses overlapping "
                    "ranges on one VPC",
                )
        return self


class BackupSettings(Model):
    """Automated backups and point-in-time recovery."""

    enabled: bool = True
    point_in_time_recovery: bool = True
    retained_backups: Annotated[
        int, Field(ge=facts.BACKUP_RETENTION_COUNT[0], le=facts.BACKUP_RETENTION_COUNT[1])
    ] = 14
    transaction_log_retention_days: Annotated[
        int,
        Field(
            ge=facts.TRANSACTION_LOG_RETENTION_DAYS_ENTERPRISE[0],
            le=facts.TRANSACTION_LOG_RETENTION_DAYS_ENTERPRISE[1],
        ),
    ] = 7

    @model_validator(mode="after")
    def _backups_outlast_logs(self) -> BackupSettings:
        if self.enabled and self.retained_backups <= self.transaction_log_retention_days:
            raise CrossFieldError(
                "retainedBackups",
                f"retainedBackups ({self.retained_backups}) must be above "
                f"transactionLogRetentionDays ({self.transaction_log_retention_days}): the Cloud "
                'SQL Admin API refuses it ("backup retention should be > transaction log '
                'retention")',
            )
        return self


class DatabaseSettings(Model):
    """The Cloud SQL for PostgreSQL instance."""

    tier: Annotated[str, AfterValidator(_tier)]
    version: Annotated[str, StringConstraints(pattern=r"^POSTGRES_\d+$")] = "POSTGRES_15"
    edition: facts.Edition = "ENTERPRISE"
    availability: facts.Availability = "ZONAL"
    max_connections: Annotated[int, Field(ge=facts.MAX_CONNECTIONS_FLAG_MIN)] | None = None
    deletion_protection: bool = True
    backups: BackupSettings = BackupSettings()
    database_name: Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]{0,62}$")] = "app"
    user_name: Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]{0,62}$")] = "app"

    @property
    def effective_max_connections(self) -> int:
        """max_connections as set, else the tier's default."""
        if self.max_connections is not None:
            return self.max_connections
        return facts.default_max_connections(facts.parse_tier(self.tier).memory_gb)

    @model_validator(mode="after")
    def _coherent(self) -> DatabaseSettings:
        tier = facts.parse_tier(self.tier)
        if tier.shared_core and self.availability == "REGIONAL":
            raise CrossFieldError(
                "availability",
                f"availability REGIONAL needs a dedicated-core tier, not {self.tier!r}",
            )
        if self.availability == "REGIONAL" and not (
            self.backups.enabled and self.backups.point_in_time_recovery
        ):
            raise CrossFieldError(
                "availability",
                "availability REGIONAL needs backups.enabled and pointInTimeRecovery",
            )
        if self.backups.point_in_time_recovery and not self.backups.enabled:
            raise CrossFieldError("backups", "backups.pointInTimeRecovery needs backups.enabled")
        return self


class StartupProbeSettings(Model):
    """An HTTP startup probe; Cloud Run caps its window at 240 s."""

    path: HttpPath = "/health"
    initial_delay_seconds: Annotated[int, Field(ge=0, le=facts.STARTUP_PROBE_INITIAL_DELAY_MAX)] = 0
    period_seconds: Annotated[
        int, Field(ge=facts.STARTUP_PROBE_PERIOD[0], le=facts.STARTUP_PROBE_PERIOD[1])
    ] = 10
    timeout_seconds: Annotated[int, Field(ge=facts.PROBE_TIMEOUT[0], le=facts.PROBE_TIMEOUT[1])] = 5
    failure_threshold: Annotated[int, Field(ge=1)] = 12

    @model_validator(mode="after")
    def _within_caps(self) -> StartupProbeSettings:
        if self.timeout_seconds > self.period_seconds:
            raise CrossFieldError(
                "timeoutSeconds",
                f"timeoutSeconds ({self.timeout_seconds}) must not exceed periodSeconds "
                f"({self.period_seconds})",
            )
        window = self.period_seconds * self.failure_threshold
        if window > facts.STARTUP_PROBE_WINDOW_MAX_SECONDS:
            raise CrossFieldError(
                "failureThreshold",
                f"failureThreshold x periodSeconds = {window} s exceeds Cloud Run's "
                f"{facts.STARTUP_PROBE_WINDOW_MAX_SECONDS} s startup window",
            )
        return self


class LivenessProbeSettings(Model):
    """An HTTP liveness probe."""

    path: HttpPath = "/health"
    initial_delay_seconds: Annotated[
        int, Field(ge=0, le=facts.LIVENESS_PROBE_INITIAL_DELAY_MAX)
    ] = 0
    period_seconds: Annotated[
        int, Field(ge=facts.LIVENESS_PROBE_PERIOD[0], le=facts.LIVENESS_PROBE_PERIOD[1])
    ] = 30
    timeout_seconds: Annotated[int, Field(ge=facts.PROBE_TIMEOUT[0], le=facts.PROBE_TIMEOUT[1])] = 5
    failure_threshold: Annotated[int, Field(ge=1)] = 3

    @model_validator(mode="after")
    def _timeout_within_period(self) -> LivenessProbeSettings:
        if self.timeout_seconds > self.period_seconds:
            raise CrossFieldError(
                "timeoutSeconds",
                f"timeoutSeconds ({self.timeout_seconds}) must not exceed periodSeconds "
                f"({self.period_seconds})",
            )
        return self


class DatabasePoolSettings(Model):
    """The app's connection pool, handed to it as DATABASE_POOL_SIZE and DATABASE_MAX_OVERFLOW."""

    size: Annotated[int, Field(ge=1)]
    max_overflow: Annotated[int, Field(ge=0)] = 0


REDIS_ENV: tuple[str, ...] = (
    "REDIS_HOST",
    "REDIS_PORT",
    "REDIS_TLS",
    "REDIS_CA_CERT",
    "REDIS_AUTH",
)
"""What a service with `redis: true` gets (REDIS_AUTH by Secret Manager reference only)."""

RESERVED_ENV: tuple[str, ...] = (
    "DATABASE_HOST",
    "DATABASE_NAME",
    "DATABASE_USER",
    "DATABASE_PASSWORD",
    "CLOUD_SQL_CONNECTION_NAME",
    "DATABASE_POOL_SIZE",
    "DATABASE_MAX_OVERFLOW",
    "DATABASE_INIT_TIMEOUT_SECONDS",
    *REDIS_ENV,
)
"""Environment variables the stack sets on services: never a user's env or secret name."""

SINGLE_SERVICE_KEY = "conduit:service"
SERVICES_KEY = "conduit:services"


def _number_as_text(value: object) -> object:
    # `cpu: 1` in YAML is a number; Cloud Run takes the same quantity as the string "1".
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}" if value == value and abs(value) != float("inf") else value
    return value


CpuQuantity = Annotated[
    str,
    BeforeValidator(_number_as_text, json_schema_input_type=str | float),
    StringConstraints(pattern=facts.RUN_CPU_PATTERN.pattern),
]


class ServiceEntrySettings(Model):
    """One Cloud Run v2 service, as an entry of `conduit:services` (its name is the entry's key)."""

    image: Annotated[str, StringConstraints(min_length=1)]
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    """The container port Cloud Run sends requests and probes to."""
    min_instances: Annotated[int, Field(ge=0)] = 0
    max_instances: Annotated[int, Field(ge=1)] = 10
    concurrency: Annotated[int, Field(ge=facts.CONCURRENCY[0], le=facts.CONCURRENCY[1])] = 80
    cpu: CpuQuantity = "1"
    """CPUs: "1", "2", "0.5" or "500m"; a number (`cpu: 1`) means the same."""
    memory: Annotated[str, StringConstraints(pattern=facts.RUN_MEMORY_PATTERN.pattern)] = "512Mi"
    request_timeout_seconds: Annotated[
        int, Field(ge=facts.REQUEST_TIMEOUT_SECONDS[0], le=facts.REQUEST_TIMEOUT_SECONDS[1])
    ] = 300
    egress: facts.Egress = facts.EGRESS_DEFAULT
    ingress: facts.Ingress = "INGRESS_TRAFFIC_ALL"
    public_invoker: bool = False
    startup_cpu_boost: bool = True
    deletion_protection: bool = True
    database_pool: DatabasePoolSettings
    database_init_timeout_seconds: Annotated[int, Field(ge=1)]
    startup_probe: StartupProbeSettings = StartupProbeSettings()
    liveness_probe: LivenessProbeSettings = LivenessProbeSettings()
    health_endpoints: tuple[HttpPath, ...] = Field(default=("/health",), min_length=1, strict=False)
    env: dict[EnvVarName, str] = {}
    secrets: tuple[EnvVarName, ...] | None = Field(default=None, strict=False)
    """The env names of conduit:secrets / conduit:externalSecrets it receives; None: all."""
    required_env: tuple[EnvVarName, ...] = Field(default=(), strict=False)
    """The app's own contract: every env var it reads at start-up."""
    redis: bool = False
    """Whether it receives the Redis wiring (REDIS_ENV); needs conduit:redis."""
    database_url_env: EnvVarName | None = None
    """The env var that receives the database URL (postgresql://user:password@host:5432/db),
    composed from the instance's outputs and the generated password, by secret reference only."""
    redis_url_env: EnvVarName | None = None
    """The env var that receives the Redis URL (redis:// or rediss:// with the AUTH string), by
    secret reference only; needs redis: true."""
    external_env: tuple[EnvVarName, ...] = Field(default=(), strict=False)
    """The app's contract: env vars whose values are issued elsewhere (API keys, URLs). A secret
    of one of them is never generated: it needs a value or conduit:externalSecrets."""

    @property
    def composed_env(self) -> tuple[str, ...]:
        """The env names the stack composes for this service (databaseUrlEnv, redisUrlEnv)."""
        return tuple(n for n in (self.database_url_env, self.redis_url_env) if n is not None)

    @model_validator(mode="after")
    def _coherent(self) -> ServiceEntrySettings:
        if self.min_instances > self.max_instances:
            raise CrossFieldError(
                "minInstances",
                f"minInstances ({self.min_instances}) must not exceed maxInstances "
                f"({self.max_instances})",
            )
        clash = sorted(set(RESERVED_ENV) & set(self.env))
        if clash:
            raise CrossFieldError(
                "env",
                f"env must not set {', '.join(clash)}: the stack sets them (databasePool, "
                "databaseInitTimeoutSeconds, the database's and Redis's wiring)",
            )
        composed = [n for n in self.composed_env if n in RESERVED_ENV or n in self.env]
        if composed:
            raise CrossFieldError(
                "databaseUrlEnv" if composed[0] == self.database_url_env else "redisUrlEnv",
                f"{composed[0]} is set elsewhere (env, or the stack's own wiring); pick another "
                "name",
            )
        if self.database_url_env is not None and self.database_url_env == self.redis_url_env:
            raise CrossFieldError(
                "redisUrlEnv", f"{self.redis_url_env} is databaseUrlEnv already; pick another name"
            )
        if self.redis_url_env is not None and not self.redis:
            raise CrossFieldError("redisUrlEnv", "redisUrlEnv needs redis: true")
        problem = facts.run_resources_problem(
            facts.run_cpu(self.cpu) or 0.0,
            facts.run_memory_mib(self.memory) or 0,
            self.concurrency,
        )
        if problem:
            raise CrossFieldError("cpu", f"{problem} (Cloud Run's CPU and memory limits)")
        return self


ServiceName = Annotated[str, StringConstraints(pattern=facts.SERVICE_NAME_PATTERN)]


class ServiceSettings(ServiceEntrySettings):
    """The Cloud Run v2 service of a one-service stack (`conduit:service`), and every service of a
    stack once named."""

    name: ServiceName


class ProbeJobSettings(Model):
    """The Cloud Run job that runs `conduit probe` inside the VPC: the start-up storm on demand."""

    image: Annotated[str, StringConstraints(min_length=1)]
    tasks: Annotated[int, Field(ge=1, le=1000)] = 10
    connections_per_task: Annotated[int, Field(ge=1, le=1000)] = 1
    hold_seconds: Annotated[float, Field(ge=0, le=600)] = 2
    timeout_seconds: Annotated[int, Field(ge=10, le=3600)] = 120
    service: ServiceName | None = None
    """Whose identity and egress path the job uses; the first service when absent."""


class RedisSettings(Model):
    """Memorystore for Redis on the stack's network through private services access."""

    tier: facts.RedisTier = "STANDARD_HA"
    memory_size_gb: Annotated[
        int, Field(ge=facts.REDIS_MEMORY_GB[0], le=facts.REDIS_MEMORY_GB[1])
    ] = 1
    version: Annotated[str, StringConstraints(pattern=facts.REDIS_VERSION_PATTERN)] = "REDIS_7_2"
    auth_enabled: bool = True
    transit_encryption: facts.RedisTransitEncryption = "SERVER_AUTHENTICATION"


class SuccessCriteria(Model):
    """The thresholds the validator measures a live stack against."""

    connector_scaling_latency_seconds: Annotated[float, Field(gt=0)] = 10
    database_connect_seconds: Annotated[float, Field(gt=0)] = 30
    concurrent_connections: Annotated[int, Field(ge=1, le=1000)] = 50
    startup_success_rate: Annotated[float, Field(gt=0, le=1)] = 0.9
    redis_connect_seconds: Annotated[float, Field(gt=0)] = 5


EmailAddress = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
PubSubTopic = Annotated[
    str,
    StringConstraints(
        pattern=r"^projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/topics/[A-Za-z][-A-Za-z0-9_.~+%]{2,254}$"
    ),
]


class ChannelSettings(Model):
    """Where one team's alerts go: an email address or a Pub/Sub topic."""

    type: Literal["email", "pubsub"]
    address: EmailAddress | None = None
    topic: PubSubTopic | None = None

    @model_validator(mode="after")
    def _one_destination(self) -> ChannelSettings:
        wanted = "address" if self.type == "email" else "topic"
        given = {"address": self.address, "topic": self.topic}
        if given[wanted] is None:
            raise CrossFieldError(wanted, f"a {self.type} channel needs {wanted}")
        (other,) = set(given) - {wanted}
        if given[other] is not None:
            raise CrossFieldError(other, f"a {self.type} channel takes no {other}")
        return self


class AlertThresholds(Model):
    """Overrides of what an alert fires on; the connect times default to successCriteria."""

    database_connect_seconds: Annotated[float, Field(gt=0)] | None = None
    redis_connect_seconds: Annotated[float, Field(gt=0)] | None = None
    connections_percent: Annotated[int, Field(ge=1, le=100)] = 90
    """Cloud SQL backends above this share of max_connections."""
    error_ratio: Annotated[float, Field(gt=0, le=1)] = 0.05
    """A service's 5xx responses above this share of its requests."""
    connector_throughput_percent: Annotated[int, Field(ge=1, le=100)] = 80
    """The connector's traffic above this share of its capacity at maxInstances."""


class AlertingSettings(Model):
    """Notification channels by team, and what the alerts fire on."""

    channels: dict[
        teams.Team, Annotated[tuple[ChannelSettings, ...], Field(min_length=1, strict=False)]
    ]
    thresholds: AlertThresholds = AlertThresholds()
    auto_close_seconds: Annotated[int, Field(ge=1800, le=7 * 24 * 3600)] = 1800
    """An incident with no new data for this long closes itself."""
    notification_rate_limit_seconds: Annotated[int, Field(ge=300, le=24 * 3600)] = 3600
    """Log-based alerts notify at most once per this period (no spam)."""

    @model_validator(mode="after")
    def _every_team(self) -> AlertingSettings:
        missing = [team for team in teams.TEAMS if team not in self.channels]
        if missing:
            raise CrossFieldError(
                "channels",
                f"needs channels for every team ({', '.join(teams.TEAMS)}); missing: "
                f"{', '.join(missing)}",
            )
        return self


def _cron(value: str) -> str:
    try:
        cron.parse(value)
    except cron.CronError as error:
        raise ValueError(str(error)) from None
    return value


CronExpression = Annotated[str, AfterValidator(_cron)]


class ContinuousValidationSettings(Model):
    """Cloud Scheduler runs the probe job on these unix-cron schedules; a tier left out does not
    run."""

    connectivity: CronExpression | None = None
    """One task, one connection each to the database and Redis."""
    performance: CronExpression | None = None
    """One task, successCriteria.concurrentConnections connections."""
    storm: CronExpression | None = None
    """probeJob.tasks tasks at once: the start-up storm."""
    time_zone: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")] = (
        "Etc/UTC"
    )

    @property
    def tiers(self) -> dict[str, str]:
        """Each configured tier's schedule, in tier order."""
        schedules = {
            "connectivity": self.connectivity,
            "performance": self.performance,
            "storm": self.storm,
        }
        return {tier: when for tier, when in schedules.items() if when is not None}


def grade_of(config: dict[str, object]) -> str:
    """A stack's grade from its raw config, before (and whatever) validation says: conduit:grade,
    else production for `conduit:environment: production`, else standard."""
    grade = config.get("conduit:grade")
    if isinstance(grade, str) and grade in GRADES:
        return grade
    return "production" if config.get("conduit:environment") == "production" else "standard"


def _region(value: str) -> str:
    if value not in facts.RUN_REGIONS:
        raise ValueError(
            f"not a region where Cloud Run, Cloud SQL and Serverless VPC Access are offered"
            f"{suggest.did_you_mean(value, facts.RUN_REGIONS)} (facts.RUN_REGIONS lists "
            f"{len(facts.RUN_REGIONS)}, from Google's location pages)"
        )
    return value


class StackSettings(BaseModel):
    """Every setting of one stack, keyed as in the stack file."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True
    )

    project: str = Field(alias="gcp:project", pattern=r"^[a-z][-a-z0-9]{4,28}[a-z0-9]$")
    """The Google Cloud project id."""
    region: Annotated[str, AfterValidator(_region)] = Field(
        alias="gcp:region", json_schema_extra={"enum": list(facts.RUN_REGIONS)}
    )
    """A region with Cloud Run, Cloud SQL and Serverless VPC Access (facts.RUN_REGIONS)."""
    environment: Annotated[str, StringConstraints(pattern=ENVIRONMENT_PATTERN)] = Field(
        alias="conduit:environment"
    )
    """Any name (dev, qa, staging, prod-eu, ...): the default name prefix and what alerts say."""
    grade: Grade | None = Field(alias="conduit:grade", default=None)
    """production | standard: the policy defaults a stack with no policy config of its own is
    previewed on. Absent: production for `environment: production`, else standard."""
    name_prefix: Annotated[str, StringConstraints(pattern=NAME_PREFIX_PATTERN)] | None = Field(
        alias="conduit:namePrefix", default=None
    )
    """What every derived resource name starts with; absent: the names of before (the
    environment's, services by their own name), so no deployed stack sees a rename."""
    network: NetworkSettings = Field(alias="conduit:network")
    database: DatabaseSettings = Field(alias="conduit:database")
    service: ServiceSettings | None = Field(alias="conduit:service", default=None)
    """A one-service stack; the same as a one-entry conduit:services."""
    services_by_name: dict[ServiceName, ServiceEntrySettings] | None = Field(
        alias="conduit:services", default=None, min_length=1
    )
    secrets: dict[EnvVarName, SecretId] = Field(alias="conduit:secrets", default_factory=dict)
    external_secrets: dict[EnvVarName, SecretId] = Field(
        alias="conduit:externalSecrets", default_factory=dict
    )
    """Secrets managed outside the stack: referenced and granted, never created here."""
    success_criteria: SuccessCriteria = Field(
        alias="conduit:successCriteria", default_factory=SuccessCriteria
    )
    probe_job: ProbeJobSettings | None = Field(alias="conduit:probeJob", default=None)
    redis: RedisSettings | None = Field(alias="conduit:redis", default=None)
    alerting: AlertingSettings | None = Field(alias="conduit:alerting", default=None)
    continuous_validation: ContinuousValidationSettings | None = Field(
        alias="conduit:continuousValidation", default=None
    )
    enable_apis: bool = Field(alias="conduit:enableApis", default=True)
    """Enable the Google APIs the stack uses; off for projects that enable them elsewhere."""

    @property
    def effective_grade(self) -> str:
        """The grade as set, else production for the production environment, else standard."""
        return grade_of({"conduit:grade": self.grade, "conduit:environment": self.environment})

    @property
    def prefix(self) -> str:
        """What the stack's derived names start with: namePrefix, else the environment."""
        return self.name_prefix or self.environment

    def service_resource_name(self, key: str, service: str) -> str:
        """The Pulumi name of a service's component: the one it always had by default."""
        if self.name_prefix is None and key == SINGLE_SERVICE_KEY:
            return self.environment
        return f"{self.prefix}-{service}"

    def service_physical_name(self, service: str) -> str:
        """The Cloud Run service's own name: its key, prefixed when namePrefix is set."""
        return service if self.name_prefix is None else f"{self.name_prefix}-{service}"

    @property
    def services(self) -> dict[str, ServiceSettings]:
        """Every service by the settings key of its block (`conduit:service` or
        `conduit:services.<name>`), in file order."""
        if self.service is not None:
            named = self.service_physical_name(self.service.name)
            return {SINGLE_SERVICE_KEY: self.service.model_copy(update={"name": named})}
        return {
            f"{SERVICES_KEY}.{name}": ServiceSettings.model_validate(
                {**entry.model_dump(by_alias=True), "name": self.service_physical_name(name)}
            )
            for name, entry in (self.services_by_name or {}).items()
        }

    @property
    def declared_service_names(self) -> dict[str, str]:
        """Each service's name as the stack file gives it, by settings key."""
        if self.service is not None:
            return {SINGLE_SERVICE_KEY: self.service.name}
        return {f"{SERVICES_KEY}.{name}": name for name in self.services_by_name or {}}

    @property
    def probe_peak_connections(self) -> int:
        """The most connections the validator's probes open at once: database-connect's
        concurrentConnections or the probe job's storm, whichever is larger."""
        storm = self.probe_job.tasks * self.probe_job.connections_per_task if self.probe_job else 0
        return max(self.success_criteria.concurrent_connections, storm)

    @property
    def probe_peak_key(self) -> str:
        """The settings key that sets `probe_peak_connections`: the storm's tasks when the storm
        opens more than concurrentConnections, else concurrentConnections."""
        storm = self.probe_job.tasks * self.probe_job.connections_per_task if self.probe_job else 0
        if storm > self.success_criteria.concurrent_connections:
            return "conduit:probeJob.tasks"
        return "conduit:successCriteria.concurrentConnections"

    @property
    def probe_job_name(self) -> str | None:
        """The probe job's name (after the service it runs as), when the stack has one."""
        return names.probe_job_name(self.probe_service.name) if self.probe_job else None

    @property
    def probe_service(self) -> ServiceSettings:
        """The service whose identity and egress path the probe job shares."""
        chosen = self.probe_job.service if self.probe_job else None
        declared = self.declared_service_names
        return next(s for k, s in self.services.items() if chosen in (None, declared[k]))

    @property
    def database_password_secret_id(self) -> str:
        """The generated database password's secret: named after the service of a one-service
        stack (as it always was), after the environment when several share it."""
        services = list(self.services.values())
        if self.name_prefix is not None:
            return names.database_password_secret_id(self.name_prefix)
        owner = services[0].name if len(services) == 1 else self.environment
        return names.database_password_secret_id(owner)

    def composed_secret_id(self, env_name: str) -> str:
        """The secret that holds a composed connection URL: `<prefix>-<env name in kebab case>`
        (DATABASE_URL -> staging-database-url), one per env name whoever reads it."""
        return f"{self.prefix}-{env_name.lower().replace('_', '-')}"

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
        return f"{self.prefix}-redis-auth"

    @property
    def redis_instance_id(self) -> str:
        return f"{self.prefix}-redis"

    @model_validator(mode="after")
    def _one_way_to_declare_services(self) -> StackSettings:
        if (self.service is None) == (self.services_by_name is None):
            raise CrossFieldError(
                SERVICES_KEY,
                f"give either {SINGLE_SERVICE_KEY} (one service) or {SERVICES_KEY} (name -> "
                "service), not " + ("both" if self.service is not None else "neither"),
            )
        wanting = [key for key, s in self.services.items() if s.redis]
        if wanting and self.redis is None:
            raise CrossFieldError(
                f"{wanting[0]}.redis", "redis: true needs a conduit:redis instance in this stack"
            )
        if self.continuous_validation is not None and self.probe_job is None:
            raise CrossFieldError(
                "conduit:continuousValidation",
                "continuous validation runs the probe job: it needs conduit:probeJob",
            )
        if self.probe_job is not None and self.probe_job.service is not None:
            declared = list(self.declared_service_names.values())
            if self.probe_job.service not in declared:
                raise CrossFieldError(
                    "conduit:probeJob.service",
                    f"{self.probe_job.service!r} is not a service of this stack (services: "
                    f"{', '.join(declared)})",
                )
        return self

    @model_validator(mode="after")
    def _no_env_clash(self) -> StackSettings:
        env_names = [*self.secrets, *self.external_secrets]
        twice = sorted({n for n in env_names if env_names.count(n) > 1})
        if twice:
            raise CrossFieldError(
                "conduit:externalSecrets",
                f"{', '.join(twice)} set both in conduit:secrets and conduit:externalSecrets",
            )
        for key, service in self.services.items():
            clash = sorted(set(env_names) & set(service.env))
            if clash:
                raise CrossFieldError(
                    "conduit:secrets",
                    f"{', '.join(clash)} set both in {key}.env and conduit:secrets; keep one",
                )
            unknown = sorted(set(service.secrets or ()) - set(env_names))
            if unknown:
                raise CrossFieldError(
                    f"{key}.secrets",
                    f"{', '.join(unknown)} not in conduit:secrets or conduit:externalSecrets "
                    f"(there: {', '.join(sorted(env_names)) or 'none'})",
                )
        reserved = sorted(set(env_names) & set(RESERVED_ENV))
        if reserved:
            raise CrossFieldError(
                "conduit:secrets",
                f"{', '.join(reserved)}: the stack sets this name itself; pick another",
            )
        return self

    @model_validator(mode="after")
    def _secret_ids_distinct(self) -> StackSettings:
        # Several env names may share a secret; one id may not be both created and external,
        # nor take the generated password's id: either would be two resources with one URN.
        managed, external = set(self.secrets.values()), set(self.external_secrets.values())
        both = sorted(managed & external)
        if both:
            raise CrossFieldError(
                "conduit:externalSecrets",
                f"secret {', '.join(both)} is listed in conduit:secrets (created here) and in "
                "conduit:externalSecrets (managed elsewhere); keep one",
            )
        generated = {self.database_password_secret_id: "generated database password"}
        if self.redis is not None and self.redis.auth_enabled:
            generated[self.redis_auth_secret_id] = "Redis AUTH string"
        for secret_id, what in generated.items():
            if secret_id in managed | external:
                raise CrossFieldError(
                    "conduit:secrets",
                    f"secret id {secret_id} is the stack's {what}; pick another",
                )
        return self

    @model_validator(mode="after")
    def _composed_env_distinct(self) -> StackSettings:
        env_names = {*self.secrets, *self.external_secrets}
        database_urls = {s.database_url_env for s in self.services.values()} - {None}
        redis_urls = {s.redis_url_env for s in self.services.values()} - {None}
        both = sorted(n for n in database_urls & redis_urls if n is not None)
        if both:
            raise CrossFieldError(
                SERVICES_KEY,
                f"{both[0]} is a databaseUrlEnv of one service and a redisUrlEnv of another; "
                "one env name, one URL",
            )
        taken = {*self.secrets.values(), *self.external_secrets.values()}
        taken.add(self.database_password_secret_id)
        taken.add(self.redis_auth_secret_id)
        for env_name, key in self.composed_env_keys.items():
            secret_id = self.composed_secret_id(env_name)
            if secret_id in taken:
                raise CrossFieldError(
                    key,
                    f"the composed URL's secret id {secret_id} is taken by another secret of "
                    "the stack; pick another env name",
                )
        for key, service in self.services.items():
            clash = sorted(env_names & set(service.composed_env))
            if clash:
                field = "databaseUrlEnv" if clash[0] == service.database_url_env else "redisUrlEnv"
                raise CrossFieldError(
                    f"{key}.{field}",
                    f"{clash[0]} is composed by {field} and also listed in conduit:secrets or "
                    "conduit:externalSecrets; keep one",
                )
        return self

    @model_validator(mode="after")
    def _nothing_generated_that_is_issued(self, info: ValidationInfo) -> StackSettings:
        # Only at the stack file, where the names under conduit:secretValues are known (never
        # their values); the runtime's config may leave encrypted ones out.
        valued = (info.context or {}).get("secret_value_names")
        if valued is None:
            return self
        issued = {n for s in self.services.values() for n in s.external_env}
        for env_name in self.secrets:
            if env_name in valued:
                continue
            is_url = env_name.endswith(facts.URL_ENV_SUFFIXES)
            if is_url or env_name in issued:
                what = "a URL" if is_url else "issued elsewhere (externalEnv)"
                compose = (
                    "; or let the stack compose it: databaseUrlEnv/redisUrlEnv on the service"
                    if is_url
                    else ""
                )
                raise CrossFieldError(
                    f"conduit:secrets.{env_name}",
                    f"no value, and {env_name} is {what}: the stack would generate a random one "
                    f"and the app would fail at start-up. Set it with `pulumi config set --secret "
                    f"--path conduit:secretValues.{env_name} VALUE`, or move it to "
                    f"conduit:externalSecrets{compose}",
                )
        return self

    @model_validator(mode="after")
    def _derived_names_fit(self) -> StackSettings:
        source = "conduit:namePrefix" if self.name_prefix is not None else "conduit:environment"
        checks: list[tuple[str, str, str]] = []
        for service in self.services.values():
            checks.append(("Cloud Run service name", service.name, facts.SERVICE_NAME_PATTERN))
        if self.redis is not None:
            checks.append(
                ("Memorystore instance id", self.redis_instance_id, facts.REDIS_INSTANCE_ID_PATTERN)
            )
        if self.probe_job is not None and self.probe_job_name is not None:
            checks.append(("probe job name", self.probe_job_name, facts.RUN_JOB_NAME_PATTERN))
        if self.continuous_validation is not None:
            checks.append(
                (
                    "scheduler service account id",
                    names.scheduler_account_id(self.prefix),
                    facts.SERVICE_ACCOUNT_ID_PATTERN.pattern,
                )
            )
        for what, name, pattern in checks:
            if not re.match(pattern, name):
                raise CrossFieldError(
                    source,
                    f"the {what} {name!r} ({len(name)} characters) does not fit Google's pattern "
                    f"{pattern}; choose a shorter {source.removeprefix('conduit:')}",
                )
        return self

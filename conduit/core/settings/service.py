"""`conduit:service` and `conduit:services`: the Cloud Run v2 services, their probes and pools."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from conduit.core import facts
from conduit.core.settings.base import CrossFieldError, EnvVarName, HttpPath, Model


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

DATABASE_PASSWORD_ENV = "DATABASE_PASSWORD"
"""The env var that carries a database user's password (by Secret Manager reference only)."""

RESERVED_ENV: tuple[str, ...] = (
    "DATABASE_HOST",
    "DATABASE_NAME",
    "DATABASE_USER",
    DATABASE_PASSWORD_ENV,
    "CLOUD_SQL_CONNECTION_NAME",
    "DATABASE_POOL_SIZE",
    "DATABASE_MAX_OVERFLOW",
    "DATABASE_INIT_TIMEOUT_SECONDS",
    *REDIS_ENV,
)
"""Environment variables the stack sets on services: never a user's env or secret name."""


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
    def reads_database_password(self) -> bool:
        """Whether its contract reads DATABASE_PASSWORD (a service with no contract gets all)."""
        return not self.required_env or DATABASE_PASSWORD_ENV in self.required_env

    @property
    def connects_to_database(self) -> bool:
        """Whether it logs in to the database: it reads the password, the user or the composed
        URL. Only then does it get a database user of its own."""
        return (
            self.reads_database_password
            or "DATABASE_USER" in self.required_env
            or self.database_url_env is not None
        )

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

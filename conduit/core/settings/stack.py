"""The stack file as a whole: the raw `config` model (keyed as in the file, validated per area,
errors located at their key), the cross-key rules, and the runtime settings built from it once."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from conduit.core import facts, names, suggest
from conduit.core.names import SERVICES_KEY, SINGLE_SERVICE_KEY
from conduit.core.settings.base import CrossFieldError, EnvVarName, SecretId
from conduit.core.settings.database import DatabaseSettings
from conduit.core.settings.network import NetworkSettings
from conduit.core.settings.operations import (
    AlertingSettings,
    ContinuousValidationSettings,
    ProbeJobSettings,
    SuccessCriteria,
)
from conduit.core.settings.redis import RedisSettings
from conduit.core.settings.runtime import StackSettings
from conduit.core.settings.service import (
    RESERVED_ENV,
    ServiceEntrySettings,
    ServiceName,
    ServiceSettings,
)

Grade = Literal["production", "standard"]
GRADES: tuple[str, ...] = ("production", "standard")
ENVIRONMENT_PATTERN = r"^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$"
NAME_PREFIX_PATTERN = r"^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$"
"""Lower case, digits and dashes, at most 20 characters: every name derived from it must still
fit its Google Cloud pattern (checked by StackSettings for the names of each stack)."""


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


class StackFile(BaseModel):
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

    @model_validator(mode="after")
    def _one_way_to_declare_services(self) -> StackFile:
        if (self.service is None) == (self.services_by_name is None):
            raise CrossFieldError(
                SERVICES_KEY,
                f"give either {SINGLE_SERVICE_KEY} (one service) or {SERVICES_KEY} (name -> "
                "service), not " + ("both" if self.service is not None else "neither"),
            )
        return self


def settings_of(file: StackFile, secret_value_names: frozenset[str] | None = None) -> StackSettings:
    """The runtime settings of a validated stack file, once its cross-key rules hold; raises
    CrossFieldError for the first rule broken. `secret_value_names` (the env names
    conduit:secretValues sets, None where unknown) lets it refuse a secret that would be generated
    but must be issued."""
    settings = StackSettings(
        project=file.project,
        region=file.region,
        environment=file.environment,
        effective_grade=grade_of(
            {"conduit:grade": file.grade, "conduit:environment": file.environment}
        ),
        name_prefix=file.name_prefix,
        network=file.network,
        database=file.database,
        services=_named_services(file),
        declared_service_names=_declared_names(file),
        secrets=file.secrets,
        external_secrets=file.external_secrets,
        success_criteria=file.success_criteria,
        probe_job=file.probe_job,
        redis=file.redis,
        alerting=file.alerting,
        continuous_validation=file.continuous_validation,
        enable_apis=file.enable_apis,
    )
    for rule in RULES:
        rule(settings)
    _nothing_generated_that_is_issued(settings, secret_value_names)
    _derived_names_fit(settings)
    return settings


def _named_services(file: StackFile) -> dict[str, ServiceSettings]:
    if file.service is not None:
        named = names.service_physical_name(file.name_prefix, file.service.name)
        return {SINGLE_SERVICE_KEY: file.service.model_copy(update={"name": named})}
    return {
        f"{SERVICES_KEY}.{name}": ServiceSettings.model_validate(
            {
                **entry.model_dump(by_alias=True),
                "name": names.service_physical_name(file.name_prefix, name),
            }
        )
        for name, entry in (file.services_by_name or {}).items()
    }


def _declared_names(file: StackFile) -> dict[str, str]:
    if file.service is not None:
        return {SINGLE_SERVICE_KEY: file.service.name}
    return {f"{SERVICES_KEY}.{name}": name for name in file.services_by_name or {}}


def _references_resolve(settings: StackSettings) -> None:
    wanting = [key for key, s in settings.services.items() if s.redis]
    if wanting and settings.redis is None:
        raise CrossFieldError(
            f"{wanting[0]}.redis", "redis: true needs a conduit:redis instance in this stack"
        )
    if settings.continuous_validation is not None and settings.probe_job is None:
        raise CrossFieldError(
            "conduit:continuousValidation",
            "continuous validation runs the probe job: it needs conduit:probeJob",
        )
    if settings.probe_job is not None and settings.probe_job.service is not None:
        declared = list(settings.declared_service_names.values())
        if settings.probe_job.service not in declared:
            raise CrossFieldError(
                "conduit:probeJob.service",
                f"{settings.probe_job.service!r} is not a service of this stack (services: "
                f"{', '.join(declared)})",
            )


def _no_env_clash(settings: StackSettings) -> None:
    env_names = [*settings.secrets, *settings.external_secrets]
    twice = sorted({n for n in env_names if env_names.count(n) > 1})
    if twice:
        raise CrossFieldError(
            "conduit:externalSecrets",
            f"{', '.join(twice)} set both in conduit:secrets and conduit:externalSecrets",
        )
    for key, service in settings.services.items():
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


def _secret_ids_distinct(settings: StackSettings) -> None:
    # Several env names may share a secret; one id may not be both created and external,
    # nor take the generated password's id: either would be two resources with one URN.
    managed, external = set(settings.secrets.values()), set(settings.external_secrets.values())
    both = sorted(managed & external)
    if both:
        raise CrossFieldError(
            "conduit:externalSecrets",
            f"secret {', '.join(both)} is listed in conduit:secrets (created here) and in "
            "conduit:externalSecrets (managed elsewhere); keep one",
        )
    generated: dict[str, str] = {}
    for login in settings.database_logins:
        if login.password_secret_id is None:
            continue
        what = f"generated database password of {login.reader}"
        if login.password_secret_id in generated:
            raise CrossFieldError(
                login.settings_key,
                f"secret id {login.password_secret_id} of the {what} is also the "
                f"{generated[login.password_secret_id]}; rename the service",
            )
        generated[login.password_secret_id] = what
    if settings.redis is not None and settings.redis.auth_enabled:
        generated[settings.redis_auth_secret_id] = "Redis AUTH string"
    for secret_id, what in generated.items():
        if secret_id in managed | external:
            raise CrossFieldError(
                "conduit:secrets",
                f"secret id {secret_id} is the stack's {what}; pick another",
            )


def _composed_env_distinct(settings: StackSettings) -> None:
    env_names = {*settings.secrets, *settings.external_secrets}
    database_urls = {s.database_url_env for s in settings.services.values()} - {None}
    redis_urls = {s.redis_url_env for s in settings.services.values()} - {None}
    both = sorted(n for n in database_urls & redis_urls if n is not None)
    if both:
        raise CrossFieldError(
            SERVICES_KEY,
            f"{both[0]} is a databaseUrlEnv of one service and a redisUrlEnv of another; "
            "one env name, one URL",
        )
    taken = {*settings.secrets.values(), *settings.external_secrets.values()}
    taken |= {x.password_secret_id for x in settings.database_logins if x.password_secret_id}
    taken.add(settings.redis_auth_secret_id)
    composed = {
        settings.database_url_secret_id(key): f"{key}.databaseUrlEnv"
        for key, service in settings.services.items()
        if service.database_url_env is not None
    }
    for env_name, key in settings.composed_env_keys.items():
        if key.endswith(".redisUrlEnv"):
            composed[settings.composed_secret_id(env_name)] = key
    for secret_id, key in composed.items():
        if secret_id in taken:
            raise CrossFieldError(
                key,
                f"the composed URL's secret id {secret_id} is taken by another secret of "
                "the stack; pick another env name",
            )
    for key, service in settings.services.items():
        clash = sorted(env_names & set(service.composed_env))
        if clash:
            field = "databaseUrlEnv" if clash[0] == service.database_url_env else "redisUrlEnv"
            raise CrossFieldError(
                f"{key}.{field}",
                f"{clash[0]} is composed by {field} and also listed in conduit:secrets or "
                "conduit:externalSecrets; keep one",
            )


def _nothing_generated_that_is_issued(
    settings: StackSettings, valued: frozenset[str] | None
) -> None:
    # Only at the stack file, where the names under conduit:secretValues are known (never
    # their values); the runtime's config may leave encrypted ones out.
    if valued is None:
        return
    issued = {n for s in settings.services.values() for n in s.external_env}
    for env_name in settings.secrets:
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


def _derived_names_fit(settings: StackSettings) -> None:
    source = "conduit:namePrefix" if settings.name_prefix is not None else "conduit:environment"
    checks: list[tuple[str, str, str]] = []
    for service in settings.services.values():
        checks.append(("Cloud Run service name", service.name, facts.SERVICE_NAME_PATTERN))
    if settings.redis is not None:
        checks.append(
            ("Memorystore instance id", settings.redis_instance_id, facts.REDIS_INSTANCE_ID_PATTERN)
        )
    if settings.probe_job is not None and settings.probe_job_name is not None:
        checks.append(("probe job name", settings.probe_job_name, facts.RUN_JOB_NAME_PATTERN))
    if settings.continuous_validation is not None:
        checks.append(
            (
                "scheduler service account id",
                names.scheduler_account_id(settings.prefix),
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


def _database_users_distinct(settings: StackSettings) -> None:
    # One user per client: two clients under one name would be one user (and one URN) again.
    owners: dict[str, str] = {}
    for login in settings.database_logins:
        if login.user in owners:
            raise CrossFieldError(
                login.settings_key,
                f"the database user {login.user} of {login.reader} is also {owners[login.user]}'s "
                "(each client logs in as its own user); rename the service",
            )
        owners[login.user] = login.reader


RULES = (
    _references_resolve,
    _no_env_clash,
    _database_users_distinct,
    _secret_ids_distinct,
    _composed_env_distinct,
)
"""The cross-key rules, in the order they are judged (the first broken one is reported)."""

"""Names that Conduit derives from the settings: each one within its Google Cloud pattern."""

from __future__ import annotations

import hashlib
import re

from conduit.core import facts

REQUIRED_ENV_ANNOTATION = "conduit/required-env"
"""The Cloud Run service annotation that carries the app's `requiredEnv`, comma-separated."""
EXTERNAL_SECRETS_ANNOTATION = "conduit/external-secrets"
"""The annotation that names the secrets the service reads but the stack does not manage
(`conduit:externalSecrets`), so the pack knows them under the Pulumi CLI too."""

PROBE_CONNECTIONS_LABEL = "conduit-probe-connections"
"""The Cloud SQL instance's user label that carries how many connections the validator's probes
open at once, so the connection budget leaves room for them (also under the Pulumi CLI)."""

_ACCOUNT_ID_MAX = 30
_HASH_LENGTH = 6
_JOB_NAME_MAX = 63


def service_account_id(service: str) -> str:
    """The runtime account id of a service: `<service>-run`, derived (not cut) to fit IAM's
    `^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$` for any valid service name."""
    candidate = f"{service}-run"
    if len(candidate) < 6:
        candidate = f"{service}-run-sa"
    if len(candidate) > _ACCOUNT_ID_MAX:
        # A stable suffix keeps long names distinct and never leaves a trailing dash.
        digest = hashlib.sha256(service.encode()).hexdigest()[:_HASH_LENGTH]
        head = service[: _ACCOUNT_ID_MAX - _HASH_LENGTH - 1].rstrip("-")
        candidate = f"{head}-{digest}"
    assert facts.SERVICE_ACCOUNT_ID_PATTERN.match(candidate), candidate
    return candidate


SINGLE_SERVICE_KEY = "conduit:service"
SERVICES_KEY = "conduit:services"


def prefix(environment: str, name_prefix: str | None) -> str:
    """What a stack's derived names start with: namePrefix, else the environment."""
    return name_prefix or environment


def service_physical_name(name_prefix: str | None, service: str) -> str:
    """A Cloud Run service's own name: its key, prefixed when namePrefix is set."""
    return service if name_prefix is None else f"{name_prefix}-{service}"


def service_resource_name(environment: str, name_prefix: str | None, key: str, service: str) -> str:
    """The Pulumi name of a service's component (`key` is its settings key): the one it always
    had by default, the environment's for a one-service stack."""
    if name_prefix is None and key == SINGLE_SERVICE_KEY:
        return environment
    return f"{prefix(environment, name_prefix)}-{service}"


def stack_password_secret_id(
    environment: str, name_prefix: str | None, services: tuple[str, ...]
) -> str:
    """The generated database password's secret: named after the service of a one-service stack
    (as it always was), after the environment when several share it, after namePrefix if set."""
    if name_prefix is not None:
        return database_password_secret_id(name_prefix)
    return database_password_secret_id(services[0] if len(services) == 1 else environment)


def composed_secret_id(stack_prefix: str, env_name: str) -> str:
    """The secret that holds a composed connection URL: `<prefix>-<env name in kebab case>`
    (DATABASE_URL -> staging-database-url), one per env name whoever reads it."""
    return f"{stack_prefix}-{env_name.lower().replace('_', '-')}"


def redis_auth_secret_id(stack_prefix: str) -> str:
    """The secret that holds the Redis instance's AUTH string."""
    return f"{stack_prefix}-redis-auth"


def redis_instance_id(stack_prefix: str) -> str:
    """The Memorystore instance's id."""
    return f"{stack_prefix}-redis"


def database_password_secret_id(service: str) -> str:
    """The Secret Manager id of the generated database password."""
    return f"{service}-db-password"


PROBE_DATABASE_CLIENT = "probe"
"""What the probe job's database user is named after (beside the services' names)."""
_DATABASE_USER_MAX = 63


def database_user_name(base: str, client: str) -> str:
    """A database user of its own for one client, `<base>_<client>` with dashes as underscores
    (an identifier that needs no quoting), derived (not cut) to fit PostgreSQL's 63 bytes."""
    candidate = f"{base}_{client.replace('-', '_')}"
    if len(candidate) > _DATABASE_USER_MAX:
        digest = hashlib.sha256(candidate.encode()).hexdigest()[:_HASH_LENGTH]
        head = candidate[: _DATABASE_USER_MAX - _HASH_LENGTH - 1].rstrip("_")
        candidate = f"{head}_{digest}"
    assert facts.DATABASE_USER_PATTERN.match(candidate), candidate
    return candidate


def reader_key(reader: str, env_name: str) -> str:
    """How the stack's secrets name a secret one reader alone holds: `<reader>/<env name>`
    (backend/DATABASE_PASSWORD), beside the env names of the secrets any service may share."""
    return f"{reader}/{env_name}"


def probe_job_name(service: str) -> str:
    """The Cloud Run job that runs `conduit probe` for a service."""
    return f"{service}-probe"


def probe_tier_job_name(job: str, suffix: str) -> str:
    """A scheduled tier's own copy of the probe job, `<job>-<suffix>`, derived (not cut) to fit
    Cloud Run's job name pattern (63 characters) for any valid service name."""
    candidate = f"{job}-{suffix}"
    if len(candidate) > _JOB_NAME_MAX:
        digest = hashlib.sha256(candidate.encode()).hexdigest()[:_HASH_LENGTH]
        head = candidate[: _JOB_NAME_MAX - _HASH_LENGTH - 1].rstrip("-")
        candidate = f"{head}-{digest}"
    assert re.match(facts.RUN_JOB_NAME_PATTERN, candidate), candidate
    return candidate


def cloudsql_database_id(connection_name: str) -> str:
    """Cloud Monitoring's `database_id` of a Cloud SQL instance (`project:instance`) from its
    connection name (`project:region:instance`)."""
    project, *_, instance = connection_name.split(":")
    return f"{project}:{instance}"


def scheduler_account_id(prefix: str) -> str:
    """The account Cloud Scheduler runs the probe job as."""
    return f"{prefix}-probe-scheduler"


# Issue #26: the probe job's own identity.
def probe_account_id(job: str) -> str:
    """The probe job's runtime account id, `<job>-sa`: its own, never a service's (whose ids end
    in `-run`), derived like theirs to fit IAM's pattern."""
    candidate = f"{job}-sa"
    if len(candidate) > _ACCOUNT_ID_MAX:
        digest = hashlib.sha256(job.encode()).hexdigest()[:_HASH_LENGTH]
        candidate = f"{job[: _ACCOUNT_ID_MAX - _HASH_LENGTH - 1].rstrip('-')}-{digest}"
    assert facts.SERVICE_ACCOUNT_ID_PATTERN.match(candidate), candidate
    return candidate

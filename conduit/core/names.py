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


def database_password_secret_id(service: str) -> str:
    """The Secret Manager id of the generated database password."""
    return f"{service}-db-password"


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

"""What the rules read of a Cloud Run v2 service's properties, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.guard.props import UNKNOWN, at, env_int, items, known

SERVICE = "gcp:cloudrunv2/service:Service"


def containers(service: Any) -> list[Any]:
    """The service's containers (known ones only)."""
    return [c for c in items(service, "template.containers") if c is not UNKNOWN]


def max_instances(service: Any) -> int | None:
    """The template's maxInstanceCount, falling back to the service-level scaling block."""
    value = at(service, "template.scaling.maxInstanceCount", int)
    if value is None:
        value = at(service, "scaling.maxInstanceCount", int)
    return value if known(value) else None


def pool(service: Any) -> tuple[int, int] | None:
    """(DATABASE_POOL_SIZE, DATABASE_MAX_OVERFLOW) summed over containers; None when not set."""
    size = overflow = 0
    seen = False
    for container in containers(service):
        container_size = env_int(container, "DATABASE_POOL_SIZE")
        container_overflow = env_int(container, "DATABASE_MAX_OVERFLOW")
        if known(container_size):
            seen = True
            size += container_size
            overflow += container_overflow if known(container_overflow) else 0
    return (size, overflow) if seen else None


def secret_refs(service: Any) -> list[tuple[str, str]]:
    """(env var name, secret) for every secretKeyRef of every container; unknown ones skipped."""
    refs = []
    for container in containers(service):
        for env in items(container, "envs"):
            if env is UNKNOWN:
                continue
            secret = at(env, "valueSource.secretKeyRef.secret", str)
            if known(secret):
                refs.append((at(env, "name", str, default="?"), secret))
    return refs


def secret_id_of(reference: str) -> str:
    """`projects/p/secrets/x` or `x` -> `x`."""
    return reference.rsplit("/secrets/", 1)[-1].split("/", 1)[0]


def uses_cloud_sql_volume(service: Any) -> bool:
    """Whether the built-in Cloud SQL connection is mounted (its 100-per-instance cap applies)."""
    return any(
        isinstance(v, Mapping) and at(v, "cloudSqlInstance", Mapping) is not None
        for v in items(service, "template.volumes")
    )


def cloud_sql_instances(service: Any) -> list[str]:
    """Connection names the service names: its Cloud SQL volume and CLOUD_SQL_CONNECTION_NAME."""
    names: list[str] = []
    for volume in items(service, "template.volumes"):
        if volume is UNKNOWN:
            continue
        for name in items(volume, "cloudSqlInstance.instances"):
            if isinstance(name, str):
                names.append(name)
    return names

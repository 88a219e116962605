"""What the rules read of a Cloud Run v2 service's properties, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conduit.core import capacity, facts
from policies.guard.props import UNKNOWN, at, env_int, items, known

INIT_TIMEOUT_ENV = "DATABASE_INIT_TIMEOUT_SECONDS"

SERVICE = "gcp:cloudrunv2/service:Service"
JOB = "gcp:cloudrunv2/job:Job"
SERVICE_VPC = "template.vpcAccess"
JOB_VPC = "template.template.vpcAccess"
"""Where a service's and a job's task template name their path into the VPC."""
DEFAULT_MAX_INSTANCES = facts.CLOUD_RUN_DEFAULT_MAX_INSTANCES
"""Cloud Run's maxInstanceCount when a service sets none."""


def containers(service: Any) -> list[Any]:
    """The service's containers (known ones only)."""
    return [c for c in items(service, "template.containers") if c is not UNKNOWN]


def max_instances_at(service: Any) -> tuple[Any, str]:
    """(maxInstanceCount, where it was read): the template's, falling back to the service-level
    scaling block; (None, the template's path) when neither is set; UNKNOWN when unknown."""
    path = "template.scaling.maxInstanceCount"
    value = at(service, path, int)
    if value is None and (fallback := at(service, "scaling.maxInstanceCount", int)) is not None:
        return fallback, "scaling.maxInstanceCount"
    return value, path


def max_instances_or_default(service: Any) -> int | None:
    """How far a service scales: its maxInstanceCount, Cloud Run's default when it sets none
    (absent is the platform's default, never absent demand); None only when unknown."""
    value, _ = max_instances_at(service)
    if value is None:
        return DEFAULT_MAX_INSTANCES
    return value if known(value) else None


def pool(service: Any) -> tuple[int, int] | None:
    """(DATABASE_POOL_SIZE, DATABASE_MAX_OVERFLOW) summed over containers; None when not set."""
    size = overflow = 0
    seen = False
    for container in containers(service):
        container_size = env_int(container, "DATABASE_POOL_SIZE")
        container_overflow = env_int(container, "DATABASE_MAX_OVERFLOW")
        if isinstance(container_size, int):  # known: neither absent nor UNKNOWN
            seen = True
            size += container_size
            overflow += container_overflow if isinstance(container_overflow, int) else 0
    return (size, overflow) if seen else None


def pool_absent(service: Any) -> bool:
    """No container sets DATABASE_POOL_SIZE at all (an unknown value is set, not absent)."""
    return all(env_int(c, "DATABASE_POOL_SIZE") is None for c in containers(service))


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


def direct_vpc_subnet(resource: Any, vpc_path: str = SERVICE_VPC) -> Any:
    """The subnet a service (or, with JOB_VPC, a job) takes its addresses from by Direct VPC
    egress: the interface's subnetwork, else its network (Cloud Run then uses the subnet of the
    network's name); None on the connector or with no VPC access; UNKNOWN when unknown."""
    for interface in items(resource, f"{vpc_path}.networkInterfaces"):
        if interface is UNKNOWN:
            return UNKNOWN
        subnet = at(interface, "subnetwork", str)
        return subnet if subnet is not None else at(interface, "network", str)
    return None


def on_direct_vpc(resource: Any, vpc_path: str = SERVICE_VPC) -> bool:
    """Whether a service (or job) egresses by Direct VPC: it has a network interface."""
    return bool(items(resource, f"{vpc_path}.networkInterfaces"))


def job_parallelism(job: Any) -> int | None:
    """How many of a job's tasks run at once: parallelism, or all its tasks when that is 0 or
    absent (Cloud Run's meaning); None when unknown."""
    parallel = at(job, "template.parallelism", int, default=0)
    tasks = at(job, "template.taskCount", int, default=1)
    if not (known(parallel) and known(tasks)):
        return None
    return parallel if parallel > 0 else tasks


def ingress_container(service: Any) -> Any:
    """The container Cloud Run sends requests and probes to: the one with ports, else the first."""
    found = containers(service)
    with_ports = [c for c in found if at(c, "ports", object) is not None]
    return (with_ports or found or [None])[0]


def startup_probe(container: Any) -> dict[str, Any] | None:
    """A container's start-up probe timings, Cloud Run's defaults filled in; None if unknown."""
    probe = {
        key: at(container, f"startupProbe.{key}", int, default=default)
        for key, default in facts.DEFAULT_STARTUP_PROBE.items()
    }
    return probe if all(known(v) for v in probe.values()) else None


def startup_hint(needed: int, added: int, probe: dict[str, int]) -> str:
    """How to make the window of `probe` reach `needed` seconds, of which `added` are on top of
    the app's DB init timeout: a threshold, a delay and a threshold, or a lower timeout."""
    delay = probe["initialDelaySeconds"]
    fix = capacity.smallest_startup_probe(needed, probe["periodSeconds"], delay)
    if fix is None:
        longest = capacity.longest_startup_window()
        return (
            f"{needed} s cannot fit in Cloud Run's longest start-up window ({longest} s: "
            f"initialDelaySeconds {facts.STARTUP_PROBE_INITIAL_DELAY_MAX} + "
            f"{facts.STARTUP_PROBE_WINDOW_MAX_SECONDS} s): lower {INIT_TIMEOUT_ENV} to at "
            f"most {longest - added} s"
        )
    if fix[0] != delay:
        return (
            f"e.g. initialDelaySeconds {fix[0]} and failureThreshold {fix[2]} at "
            f"periodSeconds {fix[1]}"
        )
    return f"e.g. failureThreshold {fix[2]} at periodSeconds {fix[1]}"

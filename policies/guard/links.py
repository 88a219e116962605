"""Which connector and which Cloud SQL instance a service uses: by reference, else by dependency.

At preview the references are often unknown (ids are computed), but the engine still records that
the service depends on the resources whose outputs it consumes. Lookups go through dicts built once
per check, so stack rules stay linear in the number of resources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from policies.guard.cloudrun import (
    SERVICE_VPC,
    cloud_sql_instances,
    containers,
    direct_vpc_subnet,
)
from policies.guard.define import StackResource
from policies.guard.props import UNKNOWN, at, env_vars, known


def urn_of(dependency: object) -> str:
    """A dependency as the SDK gives it (a PolicyResource) or as a bare URN."""
    return str(getattr(dependency, "urn", dependency))


class Linker:
    """Resources of some types, found by a key property or by being a dependency."""

    def __init__(
        self, resources: Sequence[StackResource], key: Callable[[StackResource], object]
    ) -> None:
        self.by_urn = {r.urn: r for r in resources}
        self.by_key: dict[object, StackResource] = {}
        for resource in resources:
            value = key(resource)
            if known(value):
                self.by_key.setdefault(value, resource)

    def dependencies_of(self, resource: StackResource) -> list[StackResource]:
        """Those of the linked resources that `resource` depends on."""
        found = (self.by_urn.get(urn_of(d)) for d in resource.dependencies)
        return [r for r in found if r is not None]

    def named_by(self, resource: StackResource, ref: object) -> StackResource | None:
        """The linked resource `ref` names (its last path segment is the key), else, when the
        reference is unknown at preview or names none of them, the first one `resource` depends
        on; None when there is no reference."""
        if ref is None:
            return None
        if known(ref):
            found = self.by_key.get(str(ref).rsplit("/", 1)[-1])
            if found is not None:
                return found
        linked = self.dependencies_of(resource)
        return linked[0] if linked else None


def connector_linker(connectors: Sequence[StackResource]) -> Linker:
    return Linker(connectors, lambda c: at(c.props, "name", str))


def connector_of(service: StackResource, connectors: Linker) -> StackResource | None:
    """The connector a service egresses through, or None."""
    return connectors.named_by(service, at(service.props, "template.vpcAccess.connector", str))


def subnet_linker(subnets: Sequence[StackResource]) -> Linker:
    return Linker(subnets, lambda s: at(s.props, "name", str))


def subnet_of(
    resource: StackResource, subnets: Linker, vpc_path: str = SERVICE_VPC
) -> StackResource | None:
    """The subnet a service or job egresses through by Direct VPC, or None."""
    return subnets.named_by(resource, direct_vpc_subnet(resource.props, vpc_path))


def redis_linker(instances: Sequence[StackResource]) -> Linker:
    return Linker(instances, lambda r: at(r.props, "host", str))


def redis_of(service: StackResource, instances: Linker) -> StackResource | None:
    """The Redis instance a service is wired to (its REDIS_HOST), or None."""
    hosts = {env_vars(c).get("REDIS_HOST") for c in containers(service.props)} - {None}
    if not hosts:
        return None
    for host in hosts:
        if known(host) and host in instances.by_key:
            return instances.by_key[host]
    linked = instances.dependencies_of(service)
    return linked[0] if linked else None


def instance_linker(instances: Sequence[StackResource]) -> Linker:
    return Linker(instances, lambda i: at(i.props, "connectionName", str))


def instances_of(service: StackResource, instances: Linker) -> list[StackResource]:
    """The Cloud SQL instances a service connects to."""
    names = set(cloud_sql_instances(service.props))
    for container in containers(service.props):
        name = env_vars(container).get("CLOUD_SQL_CONNECTION_NAME")
        if isinstance(name, str):  # known: neither absent nor UNKNOWN
            names.add(name)
    named = [instances.by_key[n] for n in sorted(names, key=str) if n in instances.by_key]
    if named:
        return named
    # References unknown at preview: the dependency the engine recorded is the link.
    return [
        i
        for i in instances.dependencies_of(service)
        if not names or at(i.props, "connectionName", str) is UNKNOWN
    ]

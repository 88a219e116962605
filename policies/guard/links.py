"""Which connector and which Cloud SQL instance a service uses: by reference, else by dependency.

At preview the references are often unknown (ids are computed), but the engine still records that
the service depends on the resources whose outputs it consumes.
"""

from __future__ import annotations

from collections.abc import Sequence

from guard.cloudrun import cloud_sql_instances, containers
from guard.define import StackResource, depends_on
from guard.props import UNKNOWN, at, env_vars, known


def connector_of(
    service: StackResource, connectors: Sequence[StackResource]
) -> StackResource | None:
    """The connector a service egresses through, or None."""
    ref = at(service.props, "template.vpcAccess.connector", str)
    if ref is None:
        return None
    if known(ref):
        name = ref.rsplit("/connectors/", 1)[-1]
        for connector in connectors:
            if at(connector.props, "name", str) in (name, ref):
                return connector
    return next((c for c in connectors if depends_on(service, c)), None)


def instances_of(service: StackResource, instances: Sequence[StackResource]) -> list[StackResource]:
    """The Cloud SQL instances a service connects to."""
    names = set(cloud_sql_instances(service.props))
    for container in containers(service.props):
        name = env_vars(container).get("CLOUD_SQL_CONNECTION_NAME")
        if known(name):
            names.add(name)
    found = []
    for instance in instances:
        connection = at(instance.props, "connectionName", str)
        linked = known(connection) and connection in names
        if linked or ((connection is UNKNOWN or not names) and depends_on(service, instance)):
            found.append(instance)
    return found

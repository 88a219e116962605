"""Cloud Monitoring filters for what the stack watches: one spelling each, shared by the alert
policies and the dashboard, so an alert and its chart always read the same time series."""

from __future__ import annotations

from conduit.core import probe_output

BACKENDS = "cloudsql.googleapis.com/database/postgresql/num_backends"
"""PostgreSQL's connections: the backends metric, not the network one (MySQL and SQL Server)."""


def cloudsql_backends(database_id: str) -> str:
    """`database_id`: `project:instance` (names.cloudsql_database_id)."""
    return (
        f'metric.type="{BACKENDS}" '
        f'AND resource.type="cloudsql_database" AND resource.labels.database_id="{database_id}"'
    )


def connector(name: str, metric: str) -> str:
    """A `vpcaccess.googleapis.com/connector/<metric>` series of the connector `name`."""
    return (
        f'metric.type="vpcaccess.googleapis.com/connector/{metric}" '
        f'AND resource.type="vpc_access_connector" AND resource.labels.connector_name="{name}"'
    )


def cloud_run(service: str, metric: str) -> str:
    """A `run.googleapis.com/<metric>` series of the Cloud Run service `service`."""
    return (
        f'metric.type="run.googleapis.com/{metric}" '
        f'AND resource.type="cloud_run_revision" AND resource.labels.service_name="{service}"'
    )


def log_metric(metric_type: str, kind: str) -> str:
    """A probe log-based metric's series for one kind of target (postgresql, redis); a
    metric-type filter must also restrict `resource.type` (Monitoring refuses it otherwise:
    hashicorp/terraform-provider-google#4165)."""
    return (
        f'metric.type="{metric_type}" AND resource.type="{probe_output.PROBE_RESOURCE}" '
        f'AND metric.labels.kind="{kind}"'
    )

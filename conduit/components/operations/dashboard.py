"""The stack's Cloud Monitoring dashboard as the JSON the Monitoring API takes as is (its Dashboard
shape, https://cloud.google.com/monitoring/api/ref_v3/rest/v1/projects.dashboards), built by a
few functions rather than pasted; tests/components/test_operations.py checks it against the API's
schema. Per service start-up latency, instances and 5xx ratio; the connector's instances and
throughput; Cloud SQL backends against max_connections; the probe's connect-time percentiles. Every
chart draws the success criterion it is judged by as a threshold line."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.operations import monitored
from conduit.components.options import child_options
from conduit.core import capacity, names
from conduit.core.settings import ConnectorSettings, SuccessCriteria

JSON = dict[str, Any]
"""A Dashboard API message as the API takes it: camelCase keys, unset fields left out."""


def series(flt: str, aligner: str, reducer: str | None = None, legend: str | None = None) -> JSON:
    """One line of a chart: a time series filter aligned per minute."""
    data: JSON = {
        "plotType": "LINE",
        "timeSeriesQuery": {
            "timeSeriesFilter": {"filter": flt, "aggregation": _per_minute(aligner, reducer)}
        },
    }
    if legend is not None:
        data["legendTemplate"] = legend
    return data


def ratio(numerator: str, denominator: str, aligner: str, reducer: str) -> JSON:
    """One line of a chart: one filter's series over another's."""
    aggregation = _per_minute(aligner, reducer)
    return {
        "plotType": "LINE",
        "timeSeriesQuery": {
            "timeSeriesFilterRatio": {
                "numerator": {"filter": numerator, "aggregation": aggregation},
                "denominator": {"filter": denominator, "aggregation": aggregation},
            }
        },
    }


def _per_minute(aligner: str, reducer: str | None) -> JSON:
    aggregation: JSON = {"alignmentPeriod": "60s", "perSeriesAligner": aligner}
    if reducer is not None:
        aggregation["crossSeriesReducer"] = reducer
    return aggregation


def chart(title: str, axis: str, data: list[JSON], criterion: float, criterion_label: str) -> JSON:
    """A line chart with the criterion it is judged by as a red threshold line."""
    return {
        "title": title,
        "xyChart": {
            "dataSets": data,
            "thresholds": [
                {"value": criterion, "label": criterion_label, "color": "RED", "direction": "ABOVE"}
            ],
            "yAxis": {"label": axis, "scale": "LINEAR"},
        },
    }


@dataclass(frozen=True)
class DashboardService:
    name: str
    max_instances: int
    startup_window_seconds: int
    """The start-up probe's whole window: a start-up slower than this fails."""


@dataclass(frozen=True)
class DashboardArgs:
    environment: str
    criteria: SuccessCriteria
    error_ratio: float
    services: tuple[DashboardService, ...]
    max_connections: int
    connector: ConnectorSettings | None
    """The connector of a connector stack."""
    probe_connect_metric: str | None
    redis: bool
    database_id: str = ""
    """`project:instance`, Cloud SQL's monitored-resource id (StackDashboard fills it in)."""


def build(args: DashboardArgs) -> JSON:
    """The dashboard's layout: two charts per row, in the order of the start-up path."""
    widgets: list[JSON] = []
    for service in args.services:
        requests = monitored.cloud_run(service.name, "request_count")
        widgets += [
            chart(
                f"{service.name}: start-up latency (p99)",
                "ms",
                [
                    series(
                        monitored.cloud_run(service.name, "container/startup_latencies"),
                        "ALIGN_PERCENTILE_99",
                        "REDUCE_MAX",
                    )
                ],
                service.startup_window_seconds * 1000,
                "start-up probe window",
            ),
            chart(
                f"{service.name}: instances",
                "instances",
                [
                    series(
                        monitored.cloud_run(service.name, "container/instance_count"),
                        "ALIGN_MAX",
                        "REDUCE_SUM",
                    )
                ],
                service.max_instances,
                "maxInstances",
            ),
            chart(
                f"{service.name}: 5xx ratio",
                "5xx / requests",
                [
                    ratio(
                        f'{requests} AND metric.labels.response_code_class="5xx"',
                        requests,
                        "ALIGN_RATE",
                        "REDUCE_SUM",
                    )
                ],
                args.error_ratio,
                "alert: 5xx ratio",
            ),
        ]
    if args.connector is not None:
        name, high = args.connector.name, args.connector.max_instances
        widgets += [
            chart(
                "connector: instances",
                "instances",
                [series(monitored.connector(name, "instances"), "ALIGN_MAX", "REDUCE_SUM")],
                high,
                "maxInstances",
            ),
            chart(
                "connector: throughput",
                "bytes/s",
                [
                    series(
                        monitored.connector(name, f"{direction}_bytes_count"),
                        "ALIGN_RATE",
                        "REDUCE_SUM",
                        direction,
                    )
                    for direction in ("sent", "received")
                ],
                capacity.connector_capacity_bytes_per_second(args.connector.machine_type, high),
                "capacity at maxInstances",
            ),
        ]
    widgets.append(
        chart(
            "Cloud SQL: PostgreSQL backends",
            "connections",
            [
                series(
                    monitored.cloudsql_backends(args.database_id),
                    "ALIGN_MEAN",
                    "REDUCE_SUM",
                )
            ],
            args.max_connections,
            "max_connections",
        )
    )
    if args.probe_connect_metric is not None:
        kinds = [("postgresql", "database", args.criteria.database_connect_seconds)]
        if args.redis:
            kinds.append(("redis", "Redis", args.criteria.redis_connect_seconds))
        widgets += [
            chart(
                f"continuous validation: {what} connect time",
                "seconds",
                [
                    series(
                        monitored.log_metric(args.probe_connect_metric, kind),
                        f"ALIGN_PERCENTILE_{p}",
                        None,
                        f"p{p}",
                    )
                    for p in ("50", "95", "99")
                ],
                limit,
                "successCriteria",
            )
            for kind, what, limit in kinds
        ]
    width, height = 24, 16
    tiles = [
        {
            "xPos": (index % 2) * width,
            "yPos": (index // 2) * height,
            "width": width,
            "height": height,
            "widget": widget,
        }
        for index, widget in enumerate(widgets)
    ]
    return {
        "displayName": f"conduit {args.environment}: start-up path",
        "mosaicLayout": {"columns": 48, "tiles": tiles},
    }


class StackDashboard(pulumi.ComponentResource):
    """The dashboard resource; its JSON comes from `build`."""

    dashboard_id: pulumi.Output[str]
    """`projects/{project}/dashboards/{id}`."""

    def __init__(
        self,
        name: str,
        args: DashboardArgs,
        database_connection_name: pulumi.Input[str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("conduit:operations:Dashboard", name, {}, opts)

        def document(connection_name: str) -> str:
            filled = replace(args, database_id=names.cloudsql_database_id(connection_name))
            return json.dumps(build(filled), sort_keys=True)

        text = pulumi.Output.from_input(database_connection_name).apply(document)
        dashboard = gcp.monitoring.Dashboard(
            f"{name}-dashboard", dashboard_json=text, opts=child_options(self, opts)
        )
        provenance.declare(dashboard, {"": "conduit:alerting"})
        self.dashboard_id = dashboard.id
        self.register_outputs({"dashboardId": dashboard.id})

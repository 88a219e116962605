"""The stack's Cloud Monitoring dashboard, built from typed Python (the Monitoring API's Dashboard
shape, https://cloud.google.com/monitoring/api/ref_v3/rest/v1/projects.dashboards) rather than
pasted JSON: per service start-up latency, instances and 5xx ratio; the connector's instances and
throughput; Cloud SQL backends against max_connections; the probe's connect-time percentiles. Every
chart draws the success criterion it is judged by as a threshold line."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from typing import Any

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.operations import monitored
from conduit.components.options import child_options
from conduit.core import capacity, names
from conduit.core.settings import ConnectorSettings, SuccessCriteria


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class Shape:
    """A Dashboard API message: its JSON has camelCase keys and leaves out what is unset."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in fields(self):  # type: ignore[arg-type]
            value = getattr(self, spec.name)
            if value is None or value == []:
                continue
            out[_camel(spec.name)] = _json(value)
        return out


def _json(value: Any) -> Any:
    if isinstance(value, Shape):
        return value.to_json()
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


@dataclass
class Aggregation(Shape):
    alignment_period: str = "60s"
    per_series_aligner: str | None = None
    cross_series_reducer: str | None = None
    group_by_fields: list[str] = field(default_factory=list)


@dataclass
class TimeSeriesFilter(Shape):
    filter: str
    aggregation: Aggregation | None = None


@dataclass
class RatioPart(Shape):
    filter: str
    aggregation: Aggregation | None = None


@dataclass
class TimeSeriesFilterRatio(Shape):
    numerator: RatioPart
    denominator: RatioPart


@dataclass
class TimeSeriesQuery(Shape):
    time_series_filter: TimeSeriesFilter | None = None
    time_series_filter_ratio: TimeSeriesFilterRatio | None = None


@dataclass
class DataSet(Shape):
    time_series_query: TimeSeriesQuery
    plot_type: str = "LINE"
    legend_template: str | None = None


@dataclass
class Threshold(Shape):
    value: float
    label: str
    color: str = "RED"
    direction: str = "ABOVE"


@dataclass
class Axis(Shape):
    label: str
    scale: str = "LINEAR"


@dataclass
class XyChart(Shape):
    data_sets: list[DataSet]
    thresholds: list[Threshold]
    y_axis: Axis


@dataclass
class Widget(Shape):
    title: str
    xy_chart: XyChart


@dataclass
class Tile(Shape):
    x_pos: int
    y_pos: int
    width: int
    height: int
    widget: Widget


@dataclass
class MosaicLayout(Shape):
    tiles: list[Tile]
    columns: int = 48


@dataclass
class Dashboard(Shape):
    display_name: str
    mosaic_layout: MosaicLayout


def chart(
    title: str, axis: str, data: list[DataSet], criterion: float, criterion_label: str
) -> Widget:
    return Widget(
        title=title,
        xy_chart=XyChart(
            data_sets=data, thresholds=[Threshold(criterion, criterion_label)], y_axis=Axis(axis)
        ),
    )


def series(
    flt: str, aligner: str, reducer: str | None = None, legend: str | None = None
) -> DataSet:
    aggregation = Aggregation(per_series_aligner=aligner, cross_series_reducer=reducer)
    return DataSet(TimeSeriesQuery(TimeSeriesFilter(flt, aggregation)), legend_template=legend)


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


def build(args: DashboardArgs) -> Dashboard:
    """The dashboard's layout: two charts per row, in the order of the start-up path."""
    widgets: list[Widget] = []
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
            Widget(
                title=f"{service.name}: 5xx ratio",
                xy_chart=XyChart(
                    data_sets=[
                        DataSet(
                            TimeSeriesQuery(
                                time_series_filter_ratio=TimeSeriesFilterRatio(
                                    RatioPart(
                                        f'{requests} AND metric.labels.response_code_class="5xx"',
                                        Aggregation(
                                            per_series_aligner="ALIGN_RATE",
                                            cross_series_reducer="REDUCE_SUM",
                                        ),
                                    ),
                                    RatioPart(
                                        requests,
                                        Aggregation(
                                            per_series_aligner="ALIGN_RATE",
                                            cross_series_reducer="REDUCE_SUM",
                                        ),
                                    ),
                                )
                            )
                        )
                    ],
                    thresholds=[Threshold(args.error_ratio, "alert: 5xx ratio")],
                    y_axis=Axis("5xx / requests"),
                ),
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
        Tile(
            x_pos=(index % 2) * width,
            y_pos=(index // 2) * height,
            width=width,
            height=height,
            widget=widget,
        )
        for index, widget in enumerate(widgets)
    ]
    return Dashboard(f"conduit {args.environment}: start-up path", MosaicLayout(tiles))


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
            return json.dumps(build(filled).to_json(), sort_keys=True)

        text = pulumi.Output.from_input(database_connection_name).apply(document)
        dashboard = gcp.monitoring.Dashboard(
            f"{name}-dashboard", dashboard_json=text, opts=child_options(self, opts)
        )
        provenance.declare(dashboard, {"": "conduit:alerting"})
        self.dashboard_id = dashboard.id
        self.register_outputs({"dashboardId": dashboard.id})

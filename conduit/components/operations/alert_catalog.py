"""The alert policies of a stack as data: what each watches, whom it routes to (by its failure
class, conduit.core.teams) and what its documentation tells them. The Alerts component turns them
into Monitoring resources.

Thresholds are the stack's successCriteria unless conduit:alerting.thresholds overrides them, so
one number means the same thing in the policies, the validator, the alerts and the dashboard.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from conduit.components.operations import monitored
from conduit.components.operations.log_metrics import probe_results_filter
from conduit.core import capacity, names, probe_output, startup_log, teams
from conduit.core.check_ids import CheckId
from conduit.core.failures import FailureClass
from conduit.core.settings import AlertingSettings, ConnectorSettings, SuccessCriteria

mon = gcp.monitoring


@dataclass(frozen=True)
class AlertsArgs:
    settings: AlertingSettings
    criteria: SuccessCriteria
    stack: str
    environment: str
    project: str
    database_connection_name: pulumi.Input[str]
    """`project:region:instance`."""
    max_connections: int
    services: tuple[str, ...]
    probe_jobs: tuple[str, ...]
    """The probe jobs' short names: their printed results are what the probe alerts match."""
    connector: ConnectorSettings | None = None
    """None on Direct VPC egress: nothing to saturate."""
    redis: bool = False
    uptime_checks: dict[str, list[pulumi.Output[str]]] = field(default_factory=dict)
    """Service name -> its uptime checks' ids."""


PROBE_FAILURE_CAUSES: dict[FailureClass, str] = {
    FailureClass.INFRASTRUCTURE: "refused, reset or timed-out connections: the path or the server.",
    FailureClass.CONFIGURATION: "a wrong password, TLS required but not used, a wrong name: the "
    "stack's own configuration.",
    FailureClass.APPLICATION: "the server answered but refused the work.",
}
"""What a failed probe run's class usually means: one alert per class, in this order."""


@dataclass(frozen=True)
class Alert:
    """One alert policy: what it watches, whom it routes to, what to tell them."""

    key: str
    title: str
    failure_class: FailureClass
    covers: str
    conditions: list[mon.AlertPolicyConditionArgs]
    what: str
    causes: str
    check: CheckId
    """The `conduit validate` check that measures the same thing."""
    remediation: str
    log_based: bool = False

    @property
    def team(self) -> teams.Team:
        return teams.TEAM_OF_CLASS[self.failure_class]


def threshold(
    title: str,
    flt: pulumi.Input[str],
    value: float,
    aligner: str,
    reducer: str | None = None,
    denominator: pulumi.Input[str] | None = None,
) -> mon.AlertPolicyConditionArgs:
    """Above `value` for 5 minutes, aligned per minute."""

    def aggregation() -> list[mon.AlertPolicyConditionConditionThresholdAggregationArgs]:
        return [
            mon.AlertPolicyConditionConditionThresholdAggregationArgs(
                alignment_period="60s",
                per_series_aligner=aligner,
                cross_series_reducer=reducer,
            )
        ]

    def denominator_aggregation() -> list[
        mon.AlertPolicyConditionConditionThresholdDenominatorAggregationArgs
    ]:
        return [
            mon.AlertPolicyConditionConditionThresholdDenominatorAggregationArgs(
                alignment_period="60s",
                per_series_aligner=aligner,
                cross_series_reducer=reducer,
            )
        ]

    return mon.AlertPolicyConditionArgs(
        display_name=title,
        condition_threshold=mon.AlertPolicyConditionConditionThresholdArgs(
            filter=flt,
            comparison="COMPARISON_GT",
            threshold_value=value,
            duration="300s",
            aggregations=aggregation(),
            denominator_filter=denominator,
            denominator_aggregations=denominator_aggregation() if denominator is not None else None,
        ),
    )


def log_match(title: str, flt: str) -> mon.AlertPolicyConditionArgs:
    return mon.AlertPolicyConditionArgs(
        display_name=title,
        condition_matched_log=mon.AlertPolicyConditionConditionMatchedLogArgs(filter=flt),
    )


def alerts(args: AlertsArgs) -> list[Alert]:
    """Every alert of the stack, in the order of the start-up path."""
    return [
        database_alert(args),
        *([connector_alert(args, args.connector)] if args.connector else []),
        *(alert for name in args.services for alert in service_alerts(args, name)),
        *probe_alerts(args),
    ]


def database_alert(args: AlertsArgs) -> Alert:
    percent = args.settings.thresholds.connections_percent
    limit = math.ceil(args.max_connections * percent / 100)
    flt = pulumi.Output.from_input(args.database_connection_name).apply(
        lambda name: monitored.cloudsql_backends(names.cloudsql_database_id(name))
    )
    return Alert(
        key="database-connections",
        title=f"Cloud SQL backends above {percent} % of max_connections",
        failure_class=FailureClass.INFRASTRUCTURE,
        covers=teams.COVERS_DATABASE,
        conditions=[
            threshold(
                f"PostgreSQL backends > {limit} of {args.max_connections}",
                flt,
                limit,
                "ALIGN_MEAN",
                "REDUCE_SUM",
            )
        ],
        what=f"the database holds more than {limit} connections ({percent} % of "
        f"max_connections {args.max_connections}) for 5 minutes.",
        causes="more instances than the connection budget allows (a start-up storm), a "
        "pool larger than declared, leaked connections.",
        check=CheckId.DATABASE_CONNECT,
        remediation="lower maxInstances or the pool (cloudsql-connection-budget gives the "
        "largest safe maxInstances), or raise maxConnections with the tier.",
    )


def connector_alert(args: AlertsArgs, connector: ConnectorSettings) -> Alert:
    percent = args.settings.thresholds.connector_throughput_percent
    machine, high = connector.machine_type, connector.max_instances
    mbps = capacity.connector_capacity_mbps(machine, high)
    bytes_per_second = capacity.connector_capacity_bytes_per_second(machine, high) * percent / 100
    return Alert(
        key="connector-saturation",
        title="VPC connector at its maximum",
        failure_class=FailureClass.INFRASTRUCTURE,
        covers=teams.COVERS_EGRESS,
        conditions=[
            threshold(
                f"connector instances at maxInstances ({connector.max_instances})",
                monitored.connector(connector.name, "instances"),
                connector.max_instances - 0.5,
                "ALIGN_MAX",
                "REDUCE_SUM",
            ),
            *(
                threshold(
                    f"connector {direction} above {percent} % of {mbps} Mbps",
                    monitored.connector(connector.name, f"{direction}_bytes_count"),
                    bytes_per_second,
                    "ALIGN_RATE",
                    "REDUCE_SUM",
                )
                for direction in ("sent", "received")
            ),
        ],
        what=f"connector {connector.name} runs at maxInstances or carries more than "
        f"{percent} % of its {mbps} Mbps.",
        causes="a start-up storm or traffic beyond what the connector was sized for; "
        "shared-core machines exhaust CPU credits first.",
        check=CheckId.CONNECTOR_SCALING,
        remediation="raise the connector's maxInstances or machineType "
        "(connector-capacity-covers-services), or move to Direct VPC egress.",
    )


def service_alerts(args: AlertsArgs, service: str) -> list[Alert]:
    system_log = startup_log.service_filter(args.project, [service])
    requests = monitored.cloud_run(service, "request_count")
    ratio = args.settings.thresholds.error_ratio
    covers = teams.covers_service(service)
    alerts = [
        Alert(
            key=f"{service}-startup-probe-failures",
            title=f"{service}: start-up probe failures",
            failure_class=FailureClass.INFRASTRUCTURE,
            covers=covers,
            conditions=[
                log_match(
                    "start-up probe failed: instance not started",
                    f"{system_log} AND {startup_log.PROBE_FAILURES}",
                )
            ],
            what=f"an instance of {service} did not pass its start-up probe in time.",
            causes="the path to the database or Redis too slow (connector scaling, Direct "
            "VPC warm-up), the database out of connections, a window shorter than the app's "
            "DATABASE_INIT_TIMEOUT_SECONDS.",
            check=CheckId.SERVICE_STARTUP_RATE,
            remediation="run the check; cloudrun-startup-probe-covers-db-init and "
            "connector-warm-capacity size the window and the connector.",
            log_based=True,
        ),
        Alert(
            key=f"{service}-container-exits",
            title=f"{service}: container exited at start-up",
            failure_class=FailureClass.APPLICATION,
            covers=covers,
            conditions=[
                log_match(
                    "container exited non-zero",
                    f"{system_log} AND {startup_log.CONTAINER_EXITS}",
                )
            ],
            what=f"a container of {service} exited non-zero (exit code 3 is the app's "
            "database init timeout).",
            causes="the app gave up: a missing env var (requiredEnv), a wrong secret, a "
            "crash during start-up.",
            check=CheckId.SERVICE_STARTUP_RATE,
            remediation="read the revision's logs; config-drift names env the app needs but lacks.",
            log_based=True,
        ),
        Alert(
            key=f"{service}-5xx-ratio",
            title=f"{service}: 5xx above {ratio:.0%} of requests",
            failure_class=FailureClass.APPLICATION,
            covers=covers,
            conditions=[
                threshold(
                    f"5xx / all requests > {ratio:g}",
                    f'{requests} AND metric.labels.response_code_class="5xx"',
                    ratio,
                    "ALIGN_RATE",
                    "REDUCE_SUM",
                    denominator=requests,
                )
            ],
            what=f"more than {ratio:.0%} of {service}'s requests answered 5xx for 5 minutes.",
            causes="application errors; a dependency the app cannot reach (then the "
            "infrastructure alerts fire too).",
            check=CheckId.HEALTH_ENDPOINTS,
            remediation="check the health endpoints and the app's logs.",
        ),
    ]
    check_ids = args.uptime_checks.get(service, [])
    if check_ids:
        # one_of(...): the Monitoring filter form for a set of values
        # (https://cloud.google.com/monitoring/api/v3/filters#comparisons).
        ids = pulumi.Output.all(*check_ids).apply(
            lambda values: ", ".join(f'"{value}"' for value in values)
        )
        alerts.append(
            Alert(
                key=f"{service}-uptime",
                title=f"{service}: health endpoints failing",
                failure_class=FailureClass.APPLICATION,
                covers=covers,
                conditions=[
                    mon.AlertPolicyConditionArgs(
                        display_name="uptime check failed",
                        condition_threshold=mon.AlertPolicyConditionConditionThresholdArgs(
                            filter=ids.apply(
                                lambda joined: (
                                    'metric.type="monitoring.googleapis.com/'
                                    'uptime_check/check_passed" AND resource.type="uptime_url" '
                                    f"AND metric.labels.check_id=one_of({joined})"
                                )
                            ),
                            comparison="COMPARISON_GT",
                            threshold_value=1,
                            duration="300s",
                            aggregations=[
                                mon.AlertPolicyConditionConditionThresholdAggregationArgs(
                                    alignment_period="300s",
                                    per_series_aligner="ALIGN_NEXT_OLDER",
                                    cross_series_reducer="REDUCE_COUNT_FALSE",
                                    # Per check, the regions where it failed: one
                                    # endpoint failing from two regions fires, two
                                    # endpoints failing from one region do not.
                                    group_by_fields=["metric.label.check_id"],
                                )
                            ],
                        ),
                    )
                ],
                what=f"{service}'s health endpoints failed from more than one region.",
                causes="the app answers non-200 (its own health or a dependency it reports).",
                check=CheckId.HEALTH_ENDPOINTS,
                remediation="run the check: it tells an unreachable database or Redis "
                "(infrastructure) from the app's own failure (application).",
            )
        )
    return alerts


def probe_alerts(args: AlertsArgs) -> list[Alert]:
    """Log-match conditions on the probe's own printed results, not thresholds on the log-based
    metrics: a metric created in the same `up` can stay invisible to Monitoring for minutes, and
    an alert policy on it is refused meanwhile ("Cannot find metric(s)",
    hashicorp/terraform-provider-google#11102). A log match needs no metric, and one probe run
    writes one result, so one bad run is one match (docs/operations.md)."""
    if not args.probe_jobs:
        return []
    results = probe_results_filter(args.project, args.probe_jobs)
    thresholds, criteria = args.settings.thresholds, args.criteria
    kinds: Sequence[tuple[str, str, float, CheckId]] = [
        (
            "postgresql",
            "database",
            thresholds.database_connect_seconds or criteria.database_connect_seconds,
            CheckId.DATABASE_CONNECT,
        ),
        *(
            [
                (
                    "redis",
                    "Redis",
                    thresholds.redis_connect_seconds or criteria.redis_connect_seconds,
                    CheckId.REDIS_CONNECT,
                )
            ]
            if args.redis
            else []
        ),
    ]
    kind_field = probe_output.payload_path(probe_output.KIND)
    slowest = probe_output.payload_path(*probe_output.SLOWEST_CONNECT)
    alerts = [
        Alert(
            key=f"probe-{kind}-connect-time",
            title=f"continuous validation: {what} connections slower than {limit:g} s",
            failure_class=FailureClass.INFRASTRUCTURE,
            covers=teams.COVERS_EGRESS,
            conditions=[
                log_match(
                    f"a probe run's slowest {what} connection > {limit:g} s",
                    f'{results} AND {kind_field}="{kind}" AND {slowest}>{limit:g}',
                )
            ],
            what=f"the probe job's {what} connections took longer than {limit:g} s.",
            causes="the egress path (connector or Direct VPC) or the server is slow or saturated.",
            check=check,
            remediation="run the check from inside the VPC (the probe job) and compare with "
            "connector-scaling.",
            log_based=True,
        )
        for kind, what, limit, check in kinds
    ]
    ok_field = probe_output.payload_path(probe_output.OK)
    class_field = probe_output.payload_path(probe_output.CLASSIFICATION)
    for failure_class in PROBE_FAILURE_CAUSES:
        alerts.append(
            Alert(
                key=f"probe-failed-{failure_class}",
                title=f"continuous validation: probe failed ({failure_class})",
                failure_class=failure_class,
                covers="continuous-validation",
                conditions=[
                    log_match(
                        f"a probe run failed, classified {failure_class}",
                        f'{results} AND {ok_field}=false AND {class_field}="{failure_class}"',
                    )
                ],
                what=f"a probe run failed and classified the failure as {failure_class}.",
                causes=PROBE_FAILURE_CAUSES[failure_class],
                check=CheckId.DATABASE_CONNECT,
                remediation="run the check; its finding carries the probe's errors.",
                log_based=True,
            )
        )
    return alerts

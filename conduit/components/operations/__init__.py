"""Operations as code: what watches the stack and what validates it continuously, from
conduit:alerting and conduit:continuousValidation; the start-up path's own components sit one
level up.

- `log_metrics`: the probe's printed results and Cloud Run's start-up failures as time series;
- `uptime`: HTTPS checks on each public service's health endpoints;
- `alert_catalog` (the alerts as data) and `alerts` (their notification channels and policies);
- `dashboard`: the stack's Cloud Monitoring dashboard, as the API's JSON;
- `monitored`: the Monitoring filters the alerts and the dashboard share;
- `schedules`: Cloud Scheduler running the probe jobs (continuous validation);
- `Operations` (here): all of it for one stack.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi import ResourceOptions

from conduit.components.operations.alert_catalog import AlertsArgs
from conduit.components.operations.alerts import Alerts
from conduit.components.operations.dashboard import DashboardArgs, DashboardService, StackDashboard
from conduit.components.operations.log_metrics import LogMetrics, LogMetricsArgs
from conduit.components.operations.schedules import ContinuousValidation, ScheduleArgs, ScheduledJob
from conduit.components.operations.uptime import CheckedService, UptimeArgs, UptimeChecks
from conduit.components.options import child_options
from conduit.core import capacity, probe_runs
from conduit.core.settings import AlertThresholds, StackSettings

PUBLIC_INGRESS = "INGRESS_TRAFFIC_ALL"
"""Uptime checkers reach a service from the internet: only with this ingress."""


@dataclass(frozen=True)
class OperationsArgs:
    settings: StackSettings
    stack: str
    database_connection_name: pulumi.Input[str]
    service_urls: dict[str, pulumi.Input[str]]
    service_names: dict[str, pulumi.Input[str]]
    """Each Cloud Run service's name, as an output: what names a service must wait for it."""
    scheduled_jobs: tuple[ScheduledJob, ...] = ()
    """Each scheduled probe run with the job that runs it (conduit:continuousValidation)."""


class Operations(pulumi.ComponentResource):
    """Metrics and the dashboard whenever the stack is watched; alerts and uptime checks with
    conduit:alerting; scheduled probe runs with conduit:continuousValidation."""

    metrics: LogMetrics
    alerts: Alerts | None
    uptime: UptimeChecks | None
    schedules: ContinuousValidation | None
    dashboard: StackDashboard

    def __init__(
        self, name: str, args: OperationsArgs, opts: ResourceOptions | None = None
    ) -> None:
        super().__init__("conduit:operations:Operations", name, {}, opts)
        child = child_options(self, opts)
        settings = args.settings
        services = {s.name: (key, s) for key, s in settings.services.items()}
        probe_jobs = probe_runs.job_names(settings)
        # Names and titles start with the stack's prefix (the environment unless namePrefix).
        env = settings.prefix
        self.metrics = LogMetrics(
            env, LogMetricsArgs(env, settings.project, probe_jobs, tuple(services)), child
        )
        self.alerts = self.uptime = self.schedules = None
        if settings.alerting is not None:
            self.uptime = UptimeChecks(
                env,
                UptimeArgs(
                    settings.project,
                    settings.region,
                    env,
                    tuple(
                        CheckedService(
                            name,
                            args.service_names[name],
                            args.service_urls[name],
                            s.health_endpoints,
                            key,
                        )
                        for name, (key, s) in services.items()
                        if s.ingress == PUBLIC_INGRESS
                    ),
                ),
                child,
            )
            self.alerts = Alerts(
                env,
                AlertsArgs(
                    settings=settings.alerting,
                    criteria=settings.success_criteria,
                    stack=args.stack,
                    environment=env,
                    project=settings.project,
                    database_connection_name=args.database_connection_name,
                    max_connections=settings.database.effective_max_connections,
                    services=tuple(services),
                    probe_jobs=probe_jobs,
                    connector=settings.network.connector,
                    redis=settings.redis is not None,
                    uptime_checks=self.uptime.check_ids,
                ),
                child,
            )
        self.dashboard = StackDashboard(
            env,
            DashboardArgs(
                environment=env,
                criteria=settings.success_criteria,
                error_ratio=(
                    settings.alerting.thresholds if settings.alerting else AlertThresholds()
                ).error_ratio,
                services=tuple(
                    DashboardService(
                        name,
                        s.max_instances,
                        capacity.startup_window(
                            s.startup_probe.initial_delay_seconds,
                            s.startup_probe.period_seconds,
                            s.startup_probe.failure_threshold,
                        ),
                    )
                    for name, (_, s) in services.items()
                ),
                max_connections=settings.database.effective_max_connections,
                connector=settings.network.connector,
                probe_connect_metric=self.metrics.connect_seconds,
                redis=settings.redis is not None,
            ),
            args.database_connection_name,
            child,
        )
        validation = settings.continuous_validation
        if validation is not None and args.scheduled_jobs:
            self.schedules = ContinuousValidation(
                env,
                ScheduleArgs(
                    settings=validation,
                    jobs=args.scheduled_jobs,
                    environment=env,
                    region=settings.region,
                ),
                child,
            )
        self.register_outputs(
            {
                "dashboardId": self.dashboard.dashboard_id,
                "startupFailuresMetric": self.metrics.startup_failures,
                **(
                    {"alertPolicies": [p.name for p in self.alerts.policies.values()]}
                    if self.alerts
                    else {}
                ),
                **({"uptimeChecks": self.uptime.check_ids} if self.uptime else {}),
                **(
                    {"schedulerJobs": [job.name for job in self.schedules.jobs]}
                    if self.schedules
                    else {}
                ),
            }
        )

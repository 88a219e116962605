"""Log-based metrics: the probe job's printed results and Cloud Run's start-up failure lines, as
Cloud Monitoring time series that the alerts and the dashboard read.

Every field path comes from conduit.core.probe_output, the names the probe writes its result with;
every text match from conduit.core.startup_log, the wording the validator parses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.options import child_options
from conduit.core import probe_output, startup_log

PROBE_LABELS = {
    "kind": probe_output.KIND,
    "ok": probe_output.OK,
    "classification": probe_output.CLASSIFICATION,
}
"""Metric label -> the probe result field it is extracted from."""


def metric_type(name: str) -> str:
    """The Monitoring metric type of a user-defined log-based metric."""
    return f"logging.googleapis.com/user/{name}"


def probe_results_filter(project: str, jobs: Sequence[str]) -> str:
    """The probe jobs' printed results: their stdout entries that carry a result's kind."""
    names = " OR ".join(f'"{job}"' for job in jobs)
    stdout = probe_output.job_stdout_filter(project, f"resource.labels.job_name=({names})")
    return f"{stdout} AND {probe_output.payload_path(probe_output.KIND)}:*"


def extract(*fields: str) -> str:
    return f"EXTRACT({probe_output.payload_path(*fields)})"


@dataclass(frozen=True)
class LogMetricsArgs:
    environment: str
    project: str
    probe_jobs: tuple[str, ...]
    """The probe jobs' short names (the probe job and each tier's own); no probe metrics
    without them."""
    services: tuple[str, ...]
    """The Cloud Run services whose start-up failures are counted."""


class LogMetrics(pulumi.ComponentResource):
    """`<env>_probe_connect_seconds` (distribution of each run's slowest connection, by kind),
    `<env>_probe_results` (runs by kind, ok and classification) and `<env>_startup_failures`
    (start-up failures by service and cause)."""

    connect_seconds: str | None
    """The connect-time metric's type, when there is a probe job."""
    results: str | None
    startup_failures: str

    def __init__(
        self, name: str, args: LogMetricsArgs, opts: ResourceOptions | None = None
    ) -> None:
        super().__init__("conduit:operations:LogMetrics", name, {}, opts)
        child = child_options(self, opts)
        env = args.environment
        probe_connect_seconds = f"{env}_probe_connect_seconds"
        probe_results = f"{env}_probe_results"
        startup_failures = f"{env}_startup_failures"
        self.connect_seconds = self.results = None
        labels = [
            gcp.logging.MetricMetricDescriptorLabelArgs(key=key, value_type="STRING")
            for key in PROBE_LABELS
        ]
        extractors = {key: extract(field) for key, field in PROBE_LABELS.items()}
        if args.probe_jobs:
            probe_filter = probe_results_filter(args.project, args.probe_jobs)
            connect = gcp.logging.Metric(
                f"{name}-probe-connect-seconds",
                name=probe_connect_seconds,
                description="conduit probe: each run's slowest successful connection (seconds).",
                filter=probe_filter,
                value_extractor=extract(*probe_output.SLOWEST_CONNECT),
                label_extractors=extractors,
                metric_descriptor=gcp.logging.MetricMetricDescriptorArgs(
                    metric_kind="DELTA", value_type="DISTRIBUTION", unit="s", labels=labels
                ),
                # 10 ms to ~2 min in 24 buckets, each 1.5x the last.
                bucket_options=gcp.logging.MetricBucketOptionsArgs(
                    exponential_buckets=gcp.logging.MetricBucketOptionsExponentialBucketsArgs(
                        num_finite_buckets=24, growth_factor=1.5, scale=0.01
                    )
                ),
                opts=child,
            )
            results = gcp.logging.Metric(
                f"{name}-probe-results",
                name=probe_results,
                description="conduit probe: runs by kind, outcome and failure classification.",
                filter=probe_filter,
                label_extractors=extractors,
                metric_descriptor=gcp.logging.MetricMetricDescriptorArgs(
                    metric_kind="DELTA", value_type="INT64", unit="1", labels=labels
                ),
                opts=child,
            )
            for metric in (connect, results):
                provenance.declare(metric, {"": "conduit:probeJob"})
            self.connect_seconds = metric_type(probe_connect_seconds)
            self.results = metric_type(probe_results)
        failures = gcp.logging.Metric(
            f"{name}-startup-failures",
            name=startup_failures,
            description="Cloud Run instance start-ups that failed, by cause.",
            filter=(
                f"{startup_log.service_filter(args.project, args.services)} "
                f"AND (({startup_log.PROBE_FAILURES}) OR ({startup_log.CONTAINER_EXITS}))"
            ),
            label_extractors={"cause": startup_log.CAUSE_EXTRACTOR},
            metric_descriptor=gcp.logging.MetricMetricDescriptorArgs(
                metric_kind="DELTA",
                value_type="INT64",
                unit="1",
                labels=[gcp.logging.MetricMetricDescriptorLabelArgs(key="cause")],
            ),
            opts=child,
        )
        provenance.declare(failures, {"": "conduit:alerting"})
        self.startup_failures = metric_type(startup_failures)
        self.register_outputs(
            {
                "startupFailures": self.startup_failures,
                **({"connectSeconds": self.connect_seconds} if self.connect_seconds else {}),
                **({"results": self.results} if self.results else {}),
            }
        )

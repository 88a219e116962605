"""The fields of `conduit probe`'s JSON result that others read: the log-based metrics of
continuous validation and the validator's storm. The probe writes its result with these names,
so a renamed field breaks the metrics' test, not a dashboard in production."""

from __future__ import annotations

from typing import Literal

Kind = Literal["postgresql", "redis"]

KIND = "kind"
"""What was probed: one of Kind."""
OK = "ok"
"""Every connection opened, answered and closed."""
CLASSIFICATION = "classification"
"""The failures' class together (infrastructure, configuration, application); "" when none."""
FAILED = "failed"
"""Connections that did not succeed."""
CONNECT_SECONDS = "connectSeconds"
"""Percentiles of the successful connections' connect times (p50, p95, p99, max, mean)."""
SLOWEST_CONNECT = (CONNECT_SECONDS, "max")
"""The slowest successful connection of a run: what a connect-time alert judges."""


PROBE_RESOURCE = "cloud_run_job"
"""The monitored resource of the probe job's log entries, and so of the metrics made from them."""


def job_stdout_filter(project: str, selector: str) -> str:
    """The stdout entries (the printed results) of the Cloud Run job runs that `selector`, a
    filter on the entries' labels, picks: the log metrics' jobs or the storm's one execution."""
    return (
        f'resource.type="{PROBE_RESOURCE}" AND {selector} '
        f'AND logName="projects/{project}/logs/run.googleapis.com%2Fstdout"'
    )


def payload_path(*fields: str) -> str:
    """Where a field sits in the Cloud Logging entry of a printed result (`jsonPayload....`)."""
    return ".".join(("jsonPayload", *fields))

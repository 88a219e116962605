"""The probe's scheduled runs, one Cloud Run job each: Cloud Scheduler runs a job as it is, with
`roles/run.invoker` on it, never with overrides (`roles/run.jobsExecutorWithOverrides` would let
the caller change the job's env, e.g. `DATABASE_HOST`, and send the password elsewhere: #26).

"To execute jobs using the Google Cloud CLI: Cloud Run Invoker (roles/run.invoker) on the Cloud
Run job; ... to override job configurations ...: Cloud Run Developer (roles/run.developer)"
(https://cloud.google.com/run/docs/execute/jobs). So each tier whose arguments differ from the
probe job's own gets a job of its own; the storm runs the probe job itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from conduit.core import names
from conduit.core.settings import StackSettings


@dataclass(frozen=True)
class Run:
    """One scheduled execution: how many tasks, and the probe's arguments (None: the probe job's
    own, so the probe job itself runs)."""

    tier: str
    target: str
    tasks: int
    args: tuple[str, ...] | None

    @property
    def suffix(self) -> str:
        """`<tier>` for the database, `<tier>-<target>` otherwise: scheduler and job names."""
        return self.tier if self.target == "database" else f"{self.tier}-{self.target}"

    def job_name(self, probe_job: str) -> str:
        """The Cloud Run job this run executes."""
        return probe_job if self.args is None else names.probe_tier_job_name(probe_job, self.suffix)


def runs(settings: StackSettings) -> list[Run]:
    """Every scheduled run: connectivity and performance against the database and Redis, the
    storm against the database with the probe job's own tasks. None without a schedule."""
    validation, job = settings.continuous_validation, settings.probe_job
    if validation is None or job is None:
        return []
    deadline = str(job.timeout_seconds - 5)

    def probe(target: str, connections: int) -> tuple[str, ...]:
        extra = ("--redis",) if target == "redis" else ()
        return ("probe", *extra, "--connections", str(connections), "--deadline", deadline)

    redis = settings.redis is not None and settings.probe_service.redis
    targets = ["database", *(["redis"] if redis else [])]
    found: list[Run] = []
    for tier in validation.tiers:
        if tier == "storm":
            found.append(Run(tier, "database", job.tasks, None))
            continue
        connections = (
            1 if tier == "connectivity" else settings.success_criteria.concurrent_connections
        )
        found += [Run(tier, target, 1, probe(target, connections)) for target in targets]
    return found


def job_names(settings: StackSettings) -> tuple[str, ...]:
    """Every Cloud Run job that runs the probe: the probe job and each tier's own, in order."""
    job = settings.probe_job_name
    if job is None:
        return ()
    return (job, *dict.fromkeys(r.job_name(job) for r in runs(settings) if r.args is not None))

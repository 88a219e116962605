"""Continuous validation: Cloud Scheduler runs the probe job on each configured tier, through the
Cloud Run Admin API's `jobs.run` with per-tier overrides, as a service account that may only run
that job."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.options import child_options
from conduit.core import names
from conduit.core.settings import ContinuousValidationSettings, ProbeJobSettings

KEY = "conduit:continuousValidation"
RUNNER_ROLE = "roles/run.jobsExecutorWithOverrides"
"""Run the job with overrides, on this job only: nothing else."""


@dataclass(frozen=True)
class ScheduleArgs:
    settings: ContinuousValidationSettings
    probe_job: ProbeJobSettings
    job_id: pulumi.Input[str]
    """`projects/{project}/locations/{region}/jobs/{name}`."""
    job_name: pulumi.Input[str]
    """The job's name output: the grant on it waits for the job (GCP answers 404 before)."""
    environment: str
    region: str
    concurrent_connections: int
    """successCriteria.concurrentConnections: the performance tier's connections."""
    redis: bool


@dataclass(frozen=True)
class Run:
    """One scheduled execution: how many tasks, and the probe's arguments (None: the job's own)."""

    tier: str
    target: str
    tasks: int
    args: list[str] | None

    def body(self) -> str:
        """The `jobs.run` request body, base64 as Cloud Scheduler takes it."""
        overrides: dict = {"taskCount": self.tasks}
        if self.args is not None:
            overrides["containerOverrides"] = [{"args": self.args}]
        return base64.b64encode(json.dumps({"overrides": overrides}).encode()).decode()


def runs(args: ScheduleArgs) -> list[Run]:
    """Every scheduled run: connectivity and performance against the database and Redis, the
    storm against the database with the job's own tasks."""
    deadline = str(args.probe_job.timeout_seconds - 5)

    def probe(target: str, connections: int) -> list[str]:
        extra = ["--redis"] if target == "redis" else []
        return ["probe", *extra, "--connections", str(connections), "--deadline", deadline]

    targets = ["database", *(["redis"] if args.redis else [])]
    found: list[Run] = []
    for tier in args.settings.tiers:
        if tier == "storm":
            found.append(Run(tier, "database", args.probe_job.tasks, None))
            continue
        connections = 1 if tier == "connectivity" else args.concurrent_connections
        found += [Run(tier, target, 1, probe(target, connections)) for target in targets]
    return found


class ContinuousValidation(pulumi.ComponentResource):
    """A service account that may run the probe job, and one scheduler job per tier and target."""

    jobs: list[gcp.cloudscheduler.Job]

    def __init__(self, name: str, args: ScheduleArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:operations:ContinuousValidation", name, {}, opts)
        child = child_options(self, opts)
        account = gcp.serviceaccount.Account(
            f"{name}-scheduler-sa",
            account_id=names.scheduler_account_id(args.environment),
            display_name="Cloud Scheduler: runs the probe job (continuous validation)",
            opts=child,
        )
        grant = gcp.cloudrunv2.JobIamMember(
            f"{name}-scheduler-runs-probe",
            name=args.job_name,
            location=args.region,
            role=RUNNER_ROLE,
            member=account.email.apply(lambda email: f"serviceAccount:{email}"),
            opts=child,
        )
        provenance.declare(account, {"": KEY})
        provenance.declare(grant, {"": KEY})
        uri = pulumi.Output.from_input(args.job_id).apply(
            lambda job: f"https://run.googleapis.com/v2/{job}:run"
        )
        self.jobs = []
        for run in runs(args):
            suffix = run.tier if run.target == "database" else f"{run.tier}-{run.target}"
            job = gcp.cloudscheduler.Job(
                f"{name}-{suffix}",
                name=f"{args.environment}-probe-{suffix}",
                description=f"conduit continuous validation: {run.tier} ({run.target})",
                region=args.region,
                schedule=getattr(args.settings, run.tier),
                time_zone=args.settings.time_zone,
                attempt_deadline="180s",
                http_target=gcp.cloudscheduler.JobHttpTargetArgs(
                    uri=uri,
                    http_method="POST",
                    headers={"Content-Type": "application/json"},
                    body=run.body(),
                    oauth_token=gcp.cloudscheduler.JobHttpTargetOauthTokenArgs(
                        service_account_email=account.email,
                        scope="https://www.googleapis.com/auth/cloud-platform",
                    ),
                ),
                opts=child_options(self, opts, [grant]),
            )
            provenance.declare(job, {"": f"{KEY}.{run.tier}", "region": "gcp:region"})
            self.jobs.append(job)
        self.register_outputs({})

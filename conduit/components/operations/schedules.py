"""Continuous validation: Cloud Scheduler runs a probe job on each configured tier through the
Cloud Run Admin API's `jobs.run`, as a service account that may only run those jobs as they are
(`roles/run.invoker` on each; no overrides: conduit.core.probe_runs says why)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.options import child_options
from conduit.core import facts, names
from conduit.core.probe_runs import Run
from conduit.core.settings import ContinuousValidationSettings

KEY = "conduit:continuousValidation"
RUNNER_ROLE = facts.INVOKER_ROLE
"""Runs a job as it is, on that job only: no overrides of its arguments or env."""
RUN_BODY = base64.b64encode(json.dumps({}).encode()).decode()
"""The `jobs.run` request body, base64 as Cloud Scheduler takes it: no overrides."""


@dataclass(frozen=True)
class ScheduledJob:
    """One scheduled run and the Cloud Run job that runs it."""

    run: Run
    job_id: pulumi.Input[str]
    """`projects/{project}/locations/{region}/jobs/{name}`."""
    job_name: pulumi.Input[str]
    """The job's name output: the grant on it waits for the job (GCP answers 404 before)."""


@dataclass(frozen=True)
class ScheduleArgs:
    settings: ContinuousValidationSettings
    jobs: tuple[ScheduledJob, ...]
    environment: str
    region: str


class ContinuousValidation(pulumi.ComponentResource):
    """A service account that may run the probe jobs, and one scheduler job per tier and target."""

    jobs: list[gcp.cloudscheduler.Job]
    service_account_email: pulumi.Output[str]
    """The identity the scheduler runs the probe jobs as."""

    def __init__(self, name: str, args: ScheduleArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:operations:ContinuousValidation", name, {}, opts)
        child = child_options(self, opts)
        account = gcp.serviceaccount.Account(
            f"{name}-scheduler-sa",
            account_id=names.scheduler_account_id(args.environment),
            display_name="Cloud Scheduler: runs the probe jobs (continuous validation)",
            opts=child,
        )
        provenance.declare(account, {"": KEY})
        member = account.email.apply(lambda email: f"serviceAccount:{email}")
        grants: dict[str, gcp.cloudrunv2.JobIamMember] = {}
        self.jobs = []
        for scheduled in args.jobs:
            run = scheduled.run
            # The storm runs the probe job itself; every other run a job of its own.
            grant_key = "probe" if run.args is None else run.suffix
            if grant_key not in grants:
                grants[grant_key] = gcp.cloudrunv2.JobIamMember(
                    f"{name}-scheduler-runs-probe" + ("" if run.args is None else f"-{run.suffix}"),
                    name=scheduled.job_name,
                    location=args.region,
                    role=RUNNER_ROLE,
                    member=member,
                    opts=child,
                )
                provenance.declare(grants[grant_key], {"": KEY})
            uri = pulumi.Output.from_input(scheduled.job_id).apply(
                lambda job: f"https://run.googleapis.com/v2/{job}:run"
            )
            job = gcp.cloudscheduler.Job(
                f"{name}-{run.suffix}",
                name=f"{args.environment}-probe-{run.suffix}",
                description=f"conduit continuous validation: {run.tier} ({run.target})",
                region=args.region,
                schedule=getattr(args.settings, run.tier),
                time_zone=args.settings.time_zone,
                attempt_deadline="180s",
                http_target=gcp.cloudscheduler.JobHttpTargetArgs(
                    uri=uri,
                    http_method="POST",
                    headers={"Content-Type": "application/json"},
                    body=RUN_BODY,
                    oauth_token=gcp.cloudscheduler.JobHttpTargetOauthTokenArgs(
                        service_account_email=account.email,
                        scope="https://www.googleapis.com/auth/cloud-platform",
                    ),
                ),
                opts=child_options(self, opts, [grants[grant_key]]),
            )
            provenance.declare(job, {"": f"{KEY}.{run.tier}", "region": "gcp:region"})
            self.jobs.append(job)
        self.service_account_email = account.email
        self.register_outputs(
            {"schedulerJobs": [job.name for job in self.jobs], "serviceAccount": account.email}
        )

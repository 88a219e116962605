"""The probe job: `conduit probe` as a Cloud Run job through the service's own path to Cloud SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance, run_access
from conduit.components.options import child_options
from conduit.components.wiring import DatabaseWiring, RedisWiring, VpcEgress
from conduit.core import names
from conduit.core.probe_runs import Run
from conduit.core.settings import ProbeJobSettings

run = gcp.cloudrunv2


@dataclass(frozen=True)
class ProbeJobArgs:
    """The job's settings, the service's egress path, and the job's own database wiring (its own
    user, never a service's)."""

    settings: ProbeJobSettings
    name: str
    region: str
    vpc: VpcEgress
    """The service's path into the VPC: the connector, or the Direct VPC subnet."""
    egress: str
    database: DatabaseWiring
    redis: RedisWiring | None = None
    """With Redis, `conduit probe --redis` reaches it the way the services do."""
    settings_key: str = "conduit:probeJob"
    runs: tuple[Run, ...] = ()
    """The scheduled runs (conduit:continuousValidation): each with arguments of its own gets a
    job of its own."""


class ProbeJob(pulumi.ComponentResource):
    """Each execution starts N tasks at once, each a fresh container opening its connections."""

    job_id: pulumi.Output[str]
    """`projects/{project}/locations/{region}/jobs/{name}`, for `conduit validate`."""
    job_name: pulumi.Output[str]
    """The job's short name, as its IAM members name it: an output, so they wait for the job."""
    service_account_email: pulumi.Output[str]
    """The job's own identity: it reads its own database user's password (and the AUTH string)
    and nothing else."""
    tier_jobs: dict[str, tuple[pulumi.Output[str], pulumi.Output[str]]]
    """Run suffix -> (id, name) of the job that runs it, for the tiers with their own arguments."""

    def __init__(self, name: str, args: ProbeJobArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:probe:ProbeJob", name, {}, opts)
        job_settings = args.settings
        secrets = run_access.dependency_secrets(args.database, args.redis)
        plain = run_access.dependency_env(args.database, args.redis)
        envs = run_access.envs(run_access.JOB, plain, secrets)
        # Its own account, granted only the secrets a task reads: not a service's, which also
        # reads the app's secrets (issue #26).
        account = gcp.serviceaccount.Account(
            f"{name}-probe-sa",
            account_id=names.probe_account_id(args.name),
            display_name=f"Cloud Run job {args.name}: the connection probe",
            opts=child_options(self, opts),
        )
        member = account.email.apply(lambda email: f"serviceAccount:{email}")
        grants = [
            gcp.secretmanager.SecretIamMember(
                f"{name}-probe-{ref.secret_id}-accessor",
                secret_id=ref.grant_target,
                role="roles/secretmanager.secretAccessor",
                member=member,
                opts=child_options(self, opts),
            )
            for ref in sorted(secrets.values(), key=lambda r: r.secret_id)
        ]
        provenance.declare(account, {"": args.settings_key})
        for grant in grants:
            provenance.declare(grant, {"": args.settings_key})
        waits: list[pulumi.Resource] = [*grants]
        waits += [ref.version for ref in secrets.values() if ref.version is not None]
        own_args = (
            "probe",
            "--connections",
            str(job_settings.connections_per_task),
            "--hold",
            f"{job_settings.hold_seconds:g}",
            "--deadline",
            str(job_settings.timeout_seconds - 5),
        )

        def job(resource: str, job_name: str, tasks: int, probe_args: Sequence[str]) -> run.Job:
            created = run.Job(
                resource,
                name=job_name,
                location=args.region,
                deletion_protection=False,
                template=run.JobTemplateArgs(
                    task_count=tasks,
                    parallelism=tasks,
                    template=run.JobTemplateTemplateArgs(
                        service_account=account.email,
                        max_retries=0,
                        timeout=f"{job_settings.timeout_seconds}s",
                        vpc_access=run_access.vpc_access(run_access.JOB, args.vpc, args.egress),
                        containers=[
                            run.JobTemplateTemplateContainerArgs(
                                image=job_settings.image, args=list(probe_args), envs=envs
                            )
                        ],
                    ),
                ),
                opts=child_options(self, opts, waits),
            )
            provenance.declare(created, {"": args.settings_key, "location": "gcp:region"})
            return created

        main = job(f"{name}-job", args.name, job_settings.tasks, own_args)
        self.job_id = main.id
        self.job_name = main.name
        self.service_account_email = account.email
        # A scheduled tier whose arguments differ runs a job of its own, never with overrides.
        self.tier_jobs = {}
        for tier_run in args.runs:
            if tier_run.args is not None and tier_run.suffix not in self.tier_jobs:
                tier_job = job(
                    f"{name}-job-{tier_run.suffix}",
                    tier_run.job_name(args.name),
                    tier_run.tasks,
                    tier_run.args,
                )
                self.tier_jobs[tier_run.suffix] = (tier_job.id, tier_job.name)
        self.register_outputs({"jobId": main.id, "jobName": main.name})

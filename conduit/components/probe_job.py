"""The probe job: `conduit probe` as a Cloud Run job through the service's own path to Cloud SQL."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.options import child_options
from conduit.components.wiring import PASSWORD_ENV, DatabaseWiring
from conduit.core.settings import ProbeJobSettings

run = gcp.cloudrunv2


@dataclass(frozen=True)
class ProbeJobArgs:
    """The job's settings and the service's connector, identity and database wiring."""

    settings: ProbeJobSettings
    name: str
    region: str
    connector_id: pulumi.Input[str]
    egress: str
    service_account_email: pulumi.Input[str]
    database: DatabaseWiring
    password_grant: pulumi.Resource
    """The account's grant on the password: a task reads it at start-up."""
    settings_key: str = "conduit:probeJob"


class ProbeJob(pulumi.ComponentResource):
    """Each execution starts N tasks at once, each a fresh container opening its connections."""

    job_name: pulumi.Output[str]
    """`projects/{project}/locations/{region}/jobs/{name}`, for `conduit validate`."""

    def __init__(self, name: str, args: ProbeJobArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:probe:ProbeJob", name, {}, opts)
        job_settings = args.settings
        password = args.database.password
        envs = [
            run.JobTemplateTemplateContainerEnvArgs(name=k, value=v)
            for k, v in args.database.plain_env().items()
        ]
        envs.append(
            run.JobTemplateTemplateContainerEnvArgs(
                name=PASSWORD_ENV,
                value_source=run.JobTemplateTemplateContainerEnvValueSourceArgs(
                    secret_key_ref=run.JobTemplateTemplateContainerEnvValueSourceSecretKeyRefArgs(
                        secret=password.reference, version="latest"
                    )
                ),
            )
        )
        job = run.Job(
            f"{name}-job",
            name=args.name,
            location=args.region,
            deletion_protection=False,
            template=run.JobTemplateArgs(
                task_count=job_settings.tasks,
                parallelism=job_settings.tasks,
                template=run.JobTemplateTemplateArgs(
                    service_account=args.service_account_email,
                    max_retries=0,
                    timeout=f"{job_settings.timeout_seconds}s",
                    vpc_access=run.JobTemplateTemplateVpcAccessArgs(
                        connector=args.connector_id, egress=args.egress
                    ),
                    containers=[
                        run.JobTemplateTemplateContainerArgs(
                            image=job_settings.image,
                            args=[
                                "probe",
                                "--connections",
                                str(job_settings.connections_per_task),
                                "--hold",
                                f"{job_settings.hold_seconds:g}",
                                "--deadline",
                                str(job_settings.timeout_seconds - 5),
                            ],
                            envs=envs,
                        )
                    ],
                ),
            ),
            opts=child_options(
                self,
                opts,
                [args.password_grant, *([password.version] if password.version else [])],
            ),
        )
        provenance.declare(job, {"": args.settings_key, "location": "gcp:region"})
        self.job_name = job.id
        self.register_outputs({"jobName": job.id})

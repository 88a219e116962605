"""The Cloud Run v2 service: its own identity, the connector, probes sized for DB start-up."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components.secrets import Secrets
from conduit.core.settings import ServiceSettings

run = gcp.cloudrunv2
CLOUD_SQL_VOLUME = "cloudsql"


@dataclass(frozen=True)
class ServiceArgs:
    """Everything the service is wired to."""

    settings: ServiceSettings
    region: str
    connector_id: pulumi.Input[str]
    connection_name: pulumi.Input[str]
    database_host: pulumi.Input[str]
    database_name: pulumi.Input[str]
    database_user: pulumi.Input[str]
    secrets: Secrets
    """Every secret in it reaches the container by reference, and only this service may read it."""


class Service(pulumi.ComponentResource):
    """A Cloud Run v2 service reaching Cloud SQL through the connector."""

    name: pulumi.Output[str]
    uri: pulumi.Output[str]
    """The service's URL."""
    service_account_email: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:service:Service", name, {}, opts)
        child = ResourceOptions(parent=self)
        svc = args.settings

        account = gcp.serviceaccount.Account(
            f"{name}-sa",
            account_id=f"{svc.name}-run"[:30].ljust(6, "x"),
            display_name=f"Cloud Run service {svc.name}",
            opts=child,
        )
        member = account.email.apply(lambda email: f"serviceAccount:{email}")
        grants = args.secrets.grant_access(member)

        service = run.Service(
            f"{name}-service",
            name=svc.name,
            location=args.region,
            ingress=svc.ingress,
            deletion_protection=svc.deletion_protection,
            template=run.ServiceTemplateArgs(
                service_account=account.email,
                timeout=f"{svc.request_timeout_seconds}s",
                max_instance_request_concurrency=svc.concurrency,
                scaling=run.ServiceTemplateScalingArgs(
                    min_instance_count=svc.min_instances, max_instance_count=svc.max_instances
                ),
                vpc_access=run.ServiceTemplateVpcAccessArgs(
                    connector=args.connector_id, egress=svc.egress
                ),
                volumes=[
                    run.ServiceTemplateVolumeArgs(
                        name=CLOUD_SQL_VOLUME,
                        cloud_sql_instance=run.ServiceTemplateVolumeCloudSqlInstanceArgs(
                            instances=[args.connection_name]
                        ),
                    )
                ],
                containers=[self._container(args)],
            ),
            # The revision reads its secrets at start-up: the bindings must exist first.
            opts=ResourceOptions(parent=self, depends_on=grants),
        )
        if svc.public_invoker:
            run.ServiceIamMember(
                f"{name}-public-invoker",
                name=service.name,
                location=args.region,
                role="roles/run.invoker",
                member="allUsers",
                opts=child,
            )

        self.secret_grants = grants
        self.name = service.name
        self.uri = service.uri
        self.service_account_email = account.email
        self.register_outputs(
            {"name": service.name, "uri": service.uri, "serviceAccount": account.email}
        )

    @staticmethod
    def _container(args: ServiceArgs) -> run.ServiceTemplateContainerArgs:
        svc = args.settings
        plain: dict[str, pulumi.Input[str]] = {
            **svc.env,
            "DATABASE_HOST": args.database_host,
            "DATABASE_NAME": args.database_name,
            "DATABASE_USER": args.database_user,
            "CLOUD_SQL_CONNECTION_NAME": args.connection_name,
            "DATABASE_POOL_SIZE": str(svc.database_pool.size),
            "DATABASE_MAX_OVERFLOW": str(svc.database_pool.max_overflow),
            "DATABASE_INIT_TIMEOUT_SECONDS": str(svc.database_init_timeout_seconds),
        }
        envs = [run.ServiceTemplateContainerEnvArgs(name=k, value=v) for k, v in plain.items()]
        envs += [
            run.ServiceTemplateContainerEnvArgs(
                name=env_name,
                value_source=run.ServiceTemplateContainerEnvValueSourceArgs(
                    secret_key_ref=run.ServiceTemplateContainerEnvValueSourceSecretKeyRefArgs(
                        secret=secret_id, version="latest"
                    )
                ),
            )
            for env_name, secret_id in sorted(args.secrets.secret_ids.items())
        ]
        startup, liveness = svc.startup_probe, svc.liveness_probe
        return run.ServiceTemplateContainerArgs(
            image=svc.image,
            envs=envs,
            resources=run.ServiceTemplateContainerResourcesArgs(
                limits={"cpu": svc.cpu, "memory": svc.memory},
                startup_cpu_boost=svc.startup_cpu_boost,
            ),
            startup_probe=run.ServiceTemplateContainerStartupProbeArgs(
                http_get=run.ServiceTemplateContainerStartupProbeHttpGetArgs(path=startup.path),
                initial_delay_seconds=startup.initial_delay_seconds,
                period_seconds=startup.period_seconds,
                timeout_seconds=startup.timeout_seconds,
                failure_threshold=startup.failure_threshold,
            ),
            liveness_probe=run.ServiceTemplateContainerLivenessProbeArgs(
                http_get=run.ServiceTemplateContainerLivenessProbeHttpGetArgs(path=liveness.path),
                initial_delay_seconds=liveness.initial_delay_seconds,
                period_seconds=liveness.period_seconds,
                timeout_seconds=liveness.timeout_seconds,
                failure_threshold=liveness.failure_threshold,
            ),
            volume_mounts=[
                run.ServiceTemplateContainerVolumeMountArgs(
                    name=CLOUD_SQL_VOLUME, mount_path="/cloudsql"
                )
            ],
        )

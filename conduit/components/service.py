"""The Cloud Run v2 service: its own identity, its egress path, probes sized for DB start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance, run_access
from conduit.components.options import child_options
from conduit.components.secrets import SecretRef
from conduit.components.wiring import (
    PASSWORD_ENV,
    REDIS_AUTH_ENV,
    DatabaseWiring,
    RedisWiring,
    VpcEgress,
)
from conduit.core import names
from conduit.core.settings import REDIS_ENV, SINGLE_SERVICE_KEY, ServiceSettings

run = gcp.cloudrunv2


@dataclass(frozen=True)
class ServiceArgs:
    """Everything the service is wired to: plain values and outputs, no other component."""

    settings: ServiceSettings
    region: str
    vpc: VpcEgress
    """The connector, or the subnet of Direct VPC egress."""
    database: DatabaseWiring
    secrets: Mapping[str, SecretRef]
    """Env var name -> secret this service receives, besides the database password: each
    reaches the container by reference only."""
    settings_key: str = "conduit:service"
    """Where the settings live in the stack file (one entry of conduit:services, or this)."""
    redis: RedisWiring | None = None
    """Given to a service with `redis: true`."""


class Service(pulumi.ComponentResource):
    """A Cloud Run v2 service reaching Cloud SQL's private IP through the connector or Direct VPC
    egress.

    It mounts no Cloud SQL volume: the app connects to DATABASE_HOST over the VPC, the path
    the policies size and the probe job measures; the volume would be a second, unguarded path
    that also needs roles/cloudsql.client and the Admin API.
    """

    name: pulumi.Output[str]
    uri: pulumi.Output[str]
    """The service's URL."""
    service_account_email: pulumi.Output[str]
    secret_grants: dict[str, gcp.secretmanager.SecretIamMember]
    """Secret id -> this service's accessor grant on it, named from the service and the secret
    so that any number of services can share a secret."""

    def __init__(self, name: str, args: ServiceArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:service:Service", name, {}, opts)
        child = child_options(self, opts)
        svc = args.settings

        account = gcp.serviceaccount.Account(
            f"{name}-sa",
            account_id=names.service_account_id(svc.name),
            display_name=f"Cloud Run service {svc.name}",
            opts=child,
        )
        member = account.email.apply(lambda email: f"serviceAccount:{email}")
        # One grant per secret this account reads, however many names read it: never project-wide.
        by_id = {ref.secret_id: ref for ref in self._secret_env(args).values()}
        self.secret_grants = {
            secret_id: gcp.secretmanager.SecretIamMember(
                f"{name}-{secret_id}-accessor",
                secret_id=ref.grant_target,
                role="roles/secretmanager.secretAccessor",
                member=member,
                opts=child,
            )
            for secret_id, ref in sorted(by_id.items())
        }
        versions = [ref.version for ref in by_id.values() if ref.version is not None]

        service = run.Service(
            f"{name}-service",
            name=svc.name,
            location=args.region,
            ingress=svc.ingress,
            deletion_protection=svc.deletion_protection,
            annotations=self._annotations(args) or None,
            template=run.ServiceTemplateArgs(
                service_account=account.email,
                timeout=f"{svc.request_timeout_seconds}s",
                max_instance_request_concurrency=svc.concurrency,
                scaling=run.ServiceTemplateScalingArgs(
                    min_instance_count=svc.min_instances, max_instance_count=svc.max_instances
                ),
                vpc_access=run_access.vpc_access(run_access.SERVICE, args.vpc, svc.egress),
                containers=[self._container(args)],
            ),
            # The revision reads its secrets (`latest`) at start-up: the grants and the first
            # versions must exist first.
            opts=child_options(self, opts, [*self.secret_grants.values(), *versions]),
        )
        provenance.declare(service, self._sources(args))
        for grant in self.secret_grants.values():
            provenance.declare(grant, {"": args.settings_key})
        if svc.public_invoker:
            invoker = run.ServiceIamMember(
                f"{name}-public-invoker",
                name=service.name,
                location=args.region,
                role="roles/run.invoker",
                member="allUsers",
                opts=child,
            )
            provenance.declare(invoker, {"": f"{args.settings_key}.publicInvoker"})

        self.name = service.name
        self.uri = service.uri
        self.service_account_email = account.email
        self.register_outputs(
            {"name": service.name, "uri": service.uri, "serviceAccount": account.email}
        )

    @staticmethod
    def _sources(args: ServiceArgs) -> dict[str, str]:
        """The service's properties and the settings keys they come from."""
        key, envs = args.settings_key, "template.containers.envs"
        return {
            "": key,
            # An entry of conduit:services is named by its own key.
            "name": f"{key}.name" if key == SINGLE_SERVICE_KEY else key,
            "location": "gcp:region",
            "ingress": f"{key}.ingress",
            "template.timeout": f"{key}.requestTimeoutSeconds",
            "template.maxInstanceRequestConcurrency": f"{key}.concurrency",
            "template.scaling.minInstanceCount": f"{key}.minInstances",
            "template.scaling.maxInstanceCount": f"{key}.maxInstances",
            "template.vpcAccess.connector": args.vpc.settings_key,
            "template.vpcAccess.networkInterfaces": args.vpc.settings_key,
            "template.vpcAccess.egress": f"{key}.egress",
            "annotations": f"{key}.requiredEnv",
            f"annotations.{names.EXTERNAL_SECRETS_ANNOTATION}": "conduit:externalSecrets",
            "template.containers.image": f"{key}.image",
            "template.containers.ports": f"{key}.port",
            "template.containers.resources.limits.cpu": f"{key}.cpu",
            "template.containers.resources.limits.memory": f"{key}.memory",
            "template.containers.startupProbe": f"{key}.startupProbe",
            "template.containers.livenessProbe": f"{key}.livenessProbe",
            envs: f"{key}.env",
            f"{envs}.DATABASE_POOL_SIZE": f"{key}.databasePool.size",
            f"{envs}.DATABASE_MAX_OVERFLOW": f"{key}.databasePool.maxOverflow",
            f"{envs}.DATABASE_INIT_TIMEOUT_SECONDS": f"{key}.databaseInitTimeoutSeconds",
            **{f"{envs}.{name}": f"{key}.redis" for name in REDIS_ENV},
            **{
                f"{envs}.{env_name}": ref.settings_key
                for env_name, ref in Service._secret_env(args).items()
                if ref.settings_key
            },
        }

    @staticmethod
    def _annotations(args: ServiceArgs) -> dict[str, str]:
        """What the pack needs to know beyond the resource, where it reads it under the CLI too:
        the app's env contract, and which secrets are managed outside the stack."""
        annotations = {}
        if args.settings.required_env:
            annotations[names.REQUIRED_ENV_ANNOTATION] = ",".join(args.settings.required_env)
        external = sorted({r.secret_id for r in args.secrets.values() if r.version is None})
        if external:
            annotations[names.EXTERNAL_SECRETS_ANNOTATION] = ",".join(external)
        return annotations

    @staticmethod
    def _secret_env(args: ServiceArgs) -> dict[str, SecretRef]:
        """Every env var this service reads from Secret Manager."""
        secrets = {**args.secrets, **run_access.dependency_secrets(args.database, args.redis)}
        contract = args.settings.required_env
        if contract:
            # A service gets (and is granted) only the generated secrets its contract reads.
            for generated in (PASSWORD_ENV, REDIS_AUTH_ENV):
                if generated not in contract:
                    secrets.pop(generated, None)
        return secrets

    @staticmethod
    def _container(args: ServiceArgs) -> run.ServiceTemplateContainerArgs:
        svc = args.settings
        secrets = Service._secret_env(args)
        plain: dict[str, pulumi.Input[str]] = {
            **svc.env,
            **run_access.dependency_env(args.database, args.redis),
            "DATABASE_POOL_SIZE": str(svc.database_pool.size),
            "DATABASE_MAX_OVERFLOW": str(svc.database_pool.max_overflow),
            "DATABASE_INIT_TIMEOUT_SECONDS": str(svc.database_init_timeout_seconds),
        }
        startup, liveness = svc.startup_probe, svc.liveness_probe
        return run.ServiceTemplateContainerArgs(
            image=svc.image,
            ports=run.ServiceTemplateContainerPortsArgs(container_port=svc.port),
            envs=run_access.envs(run_access.SERVICE, plain, secrets),
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
        )

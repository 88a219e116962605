"""What a Cloud Run service or job is handed to reach its dependencies: the env (plain values,
secrets by reference only) and the VPC access. One builder for both, so the probe job reaches the
database and Redis exactly as the services do."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp

from conduit.components.secrets import SecretRef
from conduit.components.wiring import (
    PASSWORD_ENV,
    REDIS_AUTH_ENV,
    DatabaseWiring,
    RedisWiring,
    VpcEgress,
)

run = gcp.cloudrunv2


@dataclass(frozen=True)
class Template:
    """The input types of a service's or a job's template: one shape, named twice by the
    provider."""

    env: Callable[..., Any]
    value_source: Callable[..., Any]
    secret_key_ref: Callable[..., Any]
    vpc_access: Callable[..., Any]
    network_interface: Callable[..., Any]


SERVICE = Template(
    run.ServiceTemplateContainerEnvArgs,
    run.ServiceTemplateContainerEnvValueSourceArgs,
    run.ServiceTemplateContainerEnvValueSourceSecretKeyRefArgs,
    run.ServiceTemplateVpcAccessArgs,
    run.ServiceTemplateVpcAccessNetworkInterfaceArgs,
)
JOB = Template(
    run.JobTemplateTemplateContainerEnvArgs,
    run.JobTemplateTemplateContainerEnvValueSourceArgs,
    run.JobTemplateTemplateContainerEnvValueSourceSecretKeyRefArgs,
    run.JobTemplateTemplateVpcAccessArgs,
    run.JobTemplateTemplateVpcAccessNetworkInterfaceArgs,
)


def dependency_env(
    database: DatabaseWiring, redis: RedisWiring | None
) -> dict[str, pulumi.Input[str]]:
    """The plain `DATABASE_*` and `REDIS_*` env vars."""
    return {**database.plain_env(), **(redis.plain_env() if redis else {})}


def dependency_secrets(database: DatabaseWiring, redis: RedisWiring | None) -> dict[str, SecretRef]:
    """The generated secrets of the dependencies: the client's own password where it reads one,
    and the AUTH string when on."""
    secrets = {PASSWORD_ENV: database.password} if database.password is not None else {}
    if redis is not None and redis.auth is not None:
        secrets[REDIS_AUTH_ENV] = redis.auth
    return secrets


def envs(
    template: Template,
    plain: Mapping[str, pulumi.Input[str]],
    secrets: Mapping[str, SecretRef],
) -> list[Any]:
    """The plain values in order, then each secret by name, read by reference (`latest`)."""
    return [template.env(name=k, value=v) for k, v in plain.items()] + [
        template.env(
            name=env_name,
            value_source=template.value_source(
                secret_key_ref=template.secret_key_ref(
                    secret=secrets[env_name].reference, version="latest"
                )
            ),
        )
        for env_name in sorted(secrets)
    ]


def vpc_access(template: Template, vpc: VpcEgress, egress: str) -> Any:
    """The connector, or one network interface on the subnet (Direct VPC egress)."""
    if vpc.direct:
        interface = template.network_interface(network=vpc.network, subnetwork=vpc.subnetwork)
        return template.vpc_access(network_interfaces=[interface], egress=egress)
    return template.vpc_access(connector=vpc.connector_id, egress=egress)

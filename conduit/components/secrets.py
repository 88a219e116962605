"""Secret Manager secrets, each readable by one service account only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random
from pulumi import ResourceOptions

GENERATED_SECRET_LENGTH = 48


@dataclass(frozen=True)
class SecretsArgs:
    """Secret ids by env var name, with their values where the stack's secret config has one."""

    secret_ids: Mapping[str, str]
    values: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    external_ids: Mapping[str, str] = field(default_factory=dict)
    """Secrets that exist outside the stack: referenced and granted, not created."""


class Secrets(pulumi.ComponentResource):
    """One Secret and one SecretVersion per entry; a missing value is generated, never printed."""

    secret_ids: dict[str, pulumi.Input[str]]
    """The Secret Manager secret id per env var name, managed and external."""

    def __init__(self, name: str, args: SecretsArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:secrets:Secrets", name, {}, opts)
        child = ResourceOptions(parent=self)
        self._component_name = name
        self._grantable: dict[str, pulumi.Input[str]] = dict(args.external_ids)
        self.versions: list[gcp.secretmanager.SecretVersion] = []
        self.secret_ids = dict(args.external_ids)
        for env_name, secret_id in sorted(args.secret_ids.items()):
            secret = gcp.secretmanager.Secret(
                f"{name}-{secret_id}",
                secret_id=secret_id,
                replication=gcp.secretmanager.SecretReplicationArgs(
                    auto=gcp.secretmanager.SecretReplicationAutoArgs()
                ),
                opts=child,
            )
            value = args.values.get(env_name)
            if value is None:
                value = random.RandomPassword(
                    f"{name}-{secret_id}-value",
                    length=GENERATED_SECRET_LENGTH,
                    special=False,
                    opts=child,
                ).result
            self.versions.append(
                gcp.secretmanager.SecretVersion(
                    f"{name}-{secret_id}-v",
                    secret=secret.id,
                    secret_data=pulumi.Output.secret(value),
                    opts=child,
                )
            )
            self._grantable[env_name] = secret.id
            self.secret_ids[env_name] = secret.secret_id
        self.register_outputs({"secretIds": self.secret_ids})

    def grant_access(self, member: pulumi.Input[str]) -> list[gcp.secretmanager.SecretIamMember]:
        """Let `member` read each secret, one binding per secret: never project-wide."""
        return [
            gcp.secretmanager.SecretIamMember(
                f"{self._component_name}-{env_name.lower().replace('_', '-')}-accessor",
                secret_id=secret,
                role="roles/secretmanager.secretAccessor",
                member=member,
                opts=ResourceOptions(parent=self),
            )
            for env_name, secret in sorted(self._grantable.items())
        ]

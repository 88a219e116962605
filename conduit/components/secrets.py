"""Secret Manager secrets: one Secret and one version per secret id, whatever names read it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.options import child_options

GENERATED_SECRET_LENGTH = 48
ValueSource = Literal["config", "generated", "composed", "instance"]
"""Where a secret's value comes from: conduit:secretValues, pulumi-random, a URL composed of the
instances' outputs, or the instance itself (Redis's AUTH string)."""


@dataclass(frozen=True)
class SecretRef:
    """How a reader reaches one secret: what an env var names, what a grant names, what to wait
    for before the first revision reads `latest`."""

    secret_id: str
    """The plain id, known before deploy: it names the accessor grant."""
    reference: pulumi.Input[str]
    """What a `secretKeyRef` names."""
    grant_target: pulumi.Input[str]
    """What a SecretIamMember names."""
    version: pulumi.Resource | None
    """The version a reader must wait for; None for a secret managed outside the stack."""
    settings_key: str = ""
    """The settings key that names this secret for this env var ("" when none does)."""


@dataclass(frozen=True)
class SecretsArgs:
    """Secret ids by env var name, with their values where the stack's secret config has one."""

    secret_ids: Mapping[str, str]
    """Env var name -> id of a secret created here; several names may share one id. A secret one
    reader alone holds (its database password) is keyed `<reader>/<env name>`."""
    values: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Env var name -> value; at most one name per secret id."""
    external_ids: Mapping[str, str] = field(default_factory=dict)
    """Secrets that exist outside the stack: referenced and granted, not created."""
    settings_keys: Mapping[str, str] = field(default_factory=dict)
    """Env var name -> the settings key that names its secret, where one does."""
    sources: Mapping[str, ValueSource] = field(default_factory=dict)
    """Env var name -> where a given value comes from; a value from
    conduit:secretValues is `config`, a missing one `generated`."""
    protect: bool = False
    """Pulumi's `protect` on every secret created here: a destroy or a replace is refused until
    unprotected (the stack sets it with conduit:database.deletionProtection)."""


VALUE_SOURCE_LABEL = "conduit-value-source"
"""The label on every secret the stack creates that says where its value comes from."""


class Secrets(pulumi.ComponentResource):
    """A missing value is generated (pulumi-random), never printed."""

    refs: dict[str, SecretRef]
    """Env var name -> its secret, managed and external."""
    secret_ids: dict[str, str]
    """Env var name -> Secret Manager id, for the stack outputs."""

    def __init__(self, name: str, args: SecretsArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:secrets:Secrets", name, {}, opts)
        child = child_options(self, opts)
        by_id: dict[str, list[str]] = {}
        for env_name, secret_id in sorted(args.secret_ids.items()):
            by_id.setdefault(secret_id, []).append(env_name)
        self.refs = {
            env_name: SecretRef(
                secret_id, secret_id, secret_id, None, args.settings_keys.get(env_name, "")
            )
            for env_name, secret_id in args.external_ids.items()
        }
        for secret_id, env_names in sorted(by_id.items()):
            valued = [n for n in env_names if n in args.values]
            if len(valued) > 1:
                # Never echo the values: they are secrets.
                raise ValueError(
                    f"conduit:secretValues: {' and '.join(valued)} both set a value for secret "
                    f"{secret_id}; set it under one name"
                )
            source = next((args.sources[n] for n in valued if n in args.sources), "config")
            if not valued:
                source = "generated"
            secret = gcp.secretmanager.Secret(
                f"{name}-{secret_id}",
                secret_id=secret_id,
                labels={VALUE_SOURCE_LABEL: source},
                replication=gcp.secretmanager.SecretReplicationArgs(
                    auto=gcp.secretmanager.SecretReplicationAutoArgs()
                ),
                # The secret, not its versions: a destroy stops at its preview, and a new value
                # (a new version) still rolls out.
                opts=ResourceOptions.merge(child, ResourceOptions(protect=args.protect)),
            )
            value = args.values[valued[0]] if valued else None
            if value is None:
                value = random.RandomPassword(
                    f"{name}-{secret_id}-value",
                    length=GENERATED_SECRET_LENGTH,
                    special=False,
                    opts=child,
                ).result
            version = gcp.secretmanager.SecretVersion(
                f"{name}-{secret_id}-v",
                secret=secret.id,
                secret_data=pulumi.Output.secret(value),
                opts=child,
            )
            keys = [args.settings_keys[n] for n in env_names if n in args.settings_keys]
            if keys:
                provenance.declare(secret, {"": keys[0]})
                provenance.declare(version, {"": keys[0]})
            for env_name in env_names:
                self.refs[env_name] = SecretRef(
                    secret_id,
                    secret.secret_id,
                    secret.id,
                    version,
                    args.settings_keys.get(env_name, ""),
                )
        self.secret_ids = {env_name: ref.secret_id for env_name, ref in sorted(self.refs.items())}
        self.register_outputs({"secretIds": self.secret_ids})

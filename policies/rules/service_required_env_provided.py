"""service-required-env-provided: every env var the app reads at start-up is set on its service.

The incident: the auth service read JWT_SECRET while the infrastructure provided JWT_SECRET_KEY,
and it would not start. The app's contract (`requiredEnv`) travels on the service as an
annotation, so the check runs under `pulumi preview --policy-pack` too.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core.names import REQUIRED_ENV_ANNOTATION
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE, containers, secret_id_of
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Of, Want, changed
from policies.guard.props import UNKNOWN, at, items, known

RESOURCE_TYPE = SERVICE
REMEDIATION = (
    "Give the service the name its app reads (in its env, or as the env name of its secret in "
    "conduit:secrets), or correct requiredEnv if the app reads another name."
)


def _provided(props: Any) -> dict[str, str]:
    """Env var name -> where its value comes from, over every container."""
    sources: dict[str, str] = {}
    for container in containers(props):
        for env in items(container, "envs"):
            if env is UNKNOWN or not known(name := at(env, "name", str)):
                continue
            secret = at(env, "valueSource.secretKeyRef.secret", str)
            sources[name] = f"secret {secret_id_of(secret)}" if known(secret) else "plain value"
    return sources


def check(props: Any, config: Config) -> Iterator[Violation]:
    required = at(props, f"annotations.{REQUIRED_ENV_ANNOTATION}", str)
    if not known(required) or not required:
        return
    provided = _provided(props)
    for name in required.split(","):
        if name in provided:
            continue
        closest = next(iter(difflib.get_close_matches(name, provided)), None)
        if closest:
            yield Violation(
                f"{name} is required; {closest} is set ({provided[closest]}).",
                ("annotations",),
                observed=closest,
                required=name,
            )
        else:
            yield Violation(
                f"{name} is required and not set, nor any similar name.",
                ("annotations",),
                required=name,
            )


POLICY = resource_policy(
    name="service-required-env-provided",
    description="Every env var in a service's requiredEnv is set on it, plain or by secret.",
    resource_types=(SERVICE, SERVICE_V1),
    check=check,
    severity=Severity.CRITICAL,
    remediation=REMEDIATION,
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _requires(names: str, props: dict[str, Any] | None = None) -> dict[str, Any]:
    service = props if props is not None else samples.service()
    return changed(service, "annotations", {REQUIRED_ENV_ANNOTATION: names})


# The secret named by its full resource name, and an env entry whose name is unknown first.
_FULL_NAME = changed(
    samples.service(),
    "template.containers.0.envs.5.valueSource.secretKeyRef.secret",
    "projects/acme-staging/secrets/jwt-secret-key",
)
_UNKNOWN_FIRST = changed(
    samples.service(),
    "template.containers.0.envs",
    [
        {"name": samples.UNKNOWN, "value": "x"},
        *samples.service()["template"]["containers"][0]["envs"],
    ],
)


# pragma: no mutate end

EXAMPLES = Examples(
    good=[
        samples.service(),
        _requires("JWT_SECRET_KEY,LOG_LEVEL,DATABASE_POOL_SIZE"),
        changed(samples.service(), "annotations", {"other": "x"}),
        # Unknown at preview: not judged.
        _requires(samples.UNKNOWN),
        _requires("LOG_LEVEL,JWT_SECRET_KEY", _UNKNOWN_FIRST),
        Of(SERVICE_V1, samples.service_v1()),
        # An empty list requires nothing; an env unknown at preview is passed over.
        _requires(""),
        _requires(
            "LOG_LEVEL",
            changed(
                samples.service(),
                "template.containers.0.envs",
                [samples.UNKNOWN, *samples.service()["template"]["containers"][0]["envs"]],
            ),
        ),
    ],
    bad=[
        Bad(
            _requires("LOG_LEVEL,JWT_SECRET", _FULL_NAME),
            (
                Want(
                    "JWT_SECRET is required; JWT_SECRET_KEY is set (secret jwt-secret-key).",
                    ("annotations",),
                    observed="JWT_SECRET_KEY",
                    required="JWT_SECRET",
                ),
            ),
        ),
        Bad(
            _requires("LOG_LEVELS,SENTRY_DSN"),
            (
                Want(
                    "LOG_LEVELS is required; LOG_LEVEL is set (plain value).",
                    ("annotations",),
                    observed="LOG_LEVEL",
                    required="LOG_LEVELS",
                ),
                Want(
                    "SENTRY_DSN is required and not set, nor any similar name.",
                    ("annotations",),
                    required="SENTRY_DSN",
                ),
            ),
        ),
        Bad(
            Of(
                SERVICE_V1,
                samples.v1_service_annotation(
                    samples.service_v1(), "conduit/required-env", "LOG_LEVEL,JWT_SECRET"
                ),
            ),
            (
                Want(
                    "JWT_SECRET is required; JWT_SECRET_KEY is set (secret jwt-secret-key).",
                    ("metadata.annotations",),
                    observed="JWT_SECRET_KEY",
                    required="JWT_SECRET",
                ),
            ),
        ),
    ],
)

"""secret-references-resolve: every secretKeyRef names a secret the stack defines with a version.

The incident: the app read JWT_SECRET_KEY while the secret was JWT_SECRET; the revision failed
to start with nothing pointing at the cause.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import Severity

from conduit.core.names import EXTERNAL_SECRETS_ANNOTATION
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE, secret_id_of, secret_refs
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import urn_of
from policies.guard.props import at, known

SECRET = "gcp:secretmanager/secret:Secret"
VERSION = "gcp:secretmanager/secretVersion:SecretVersion"
REMEDIATION = (
    "Define the secret with a version in the stack (conduit:secrets), fix the reference's "
    "spelling, or, for a secret managed elsewhere, list it in conduit:externalSecrets (Conduit's "
    "stacks) or in the policy config's externalSecrets (policies/config/<stack>.json)."
)


def check(resources: Sequence[StackResource], config: Config) -> Iterator[Violation]:
    # What the versions point at: a secret's name or id, or (at preview) the secret they depend on.
    versioned: set[str] = set()
    for version in of_type(resources, VERSION):
        target = at(version.props, "secret", str)
        if known(target):
            versioned.add(target)
        versioned.update(urn_of(d) for d in version.dependencies)
    defined: dict[str, bool] = {}
    for secret in of_type(resources, SECRET):
        secret_id = at(secret.props, "secretId", str)
        if known(secret_id):
            names = {secret.urn, secret_id, at(secret.props, "name", str)}
            defined[secret_id] = bool(names & versioned)
    for service in of_type(resources, SERVICE):
        declared = at(service.props, f"annotations.{EXTERNAL_SECRETS_ANNOTATION}", str)
        external = set(config["externalSecrets"])
        if known(declared) and declared:
            external |= set(declared.split(","))
        for env_name, reference in secret_refs(service.props):
            secret_id = secret_id_of(reference)
            if secret_id in external:
                continue
            if secret_id not in defined:
                close = [s for s in defined if s.replace("-", "_").upper() in env_name.upper()]
                hint = f" (defined: {', '.join(sorted(defined)) or 'none'})"
                if close:
                    hint = f" (did you mean {close[0]}?)"
                yield Violation(
                    f"env {env_name} references secret {secret_id}, which the stack does not "
                    f"define{hint}.",
                    (f"template.containers.envs.{env_name}",),
                    secret_id,
                    sorted(defined),
                    urn=service.urn,
                )
            elif not defined[secret_id]:
                yield Violation(
                    f"env {env_name} references secret {secret_id}, which has no version: the "
                    "revision will fail to start.",
                    (f"template.containers.envs.{env_name}",),
                    urn=service.urn,
                )


POLICY = stack_policy(
    name="secret-references-resolve",
    description="Every secret a service references exists in the stack with a version.",
    check=check,
    inspects=(
        "gcp:secretmanager/secret:Secret",
        "gcp:secretmanager/secretVersion:SecretVersion",
    ),
    severity=Severity.CRITICAL,
    remediation=REMEDIATION,
    defaults={"externalSecrets": []},
    schema={"externalSecrets": {"type": "array", "items": {"type": "string"}}},
)

_SECRET_NAME = f"projects/{samples.PROJECT}/secrets/jwt-secret-key"
_SECRET = Res(SECRET, {"secretId": "jwt-secret-key", "name": _SECRET_NAME})
_VERSION = Res(VERSION, {"secret": _SECRET_NAME})
_DRIFTED = Res(
    SECRET, {"secretId": "jwt-secret", "name": f"projects/{samples.PROJECT}/secrets/jwt-secret"}
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _declared_external(ids: str) -> Res:
    props = changed(samples.service(), "annotations", {EXTERNAL_SECRETS_ANNOTATION: ids})
    return Res(SERVICE, props)


def _also_reading_api_key(resource: Res) -> Res:
    """`resource` also reading secret api-key, after its other secrets."""
    ref = {"name": "API_KEY", "valueSource": {"secretKeyRef": {"secret": "api-key"}}}
    resource.props["template"]["containers"][0]["envs"].append(ref)
    return resource


_DB_PASSWORD = Res(
    SECRET, {"secretId": "db-password", "name": "db-password"}, urn=urn(SECRET, "db")
)
_DB_PASSWORD_VERSION = Res(VERSION, {"secret": "db-password"}, urn=urn(VERSION, "db"))


# pragma: no mutate end


EXAMPLES = Examples(
    good=[
        [_SECRET, _VERSION, Res(SERVICE, samples.service())],
        # A Cloud Run v1 service's valueFrom.secretKeyRef names the same secret.
        [_SECRET, _VERSION, Res(SERVICE_V1, samples.service_v1())],
        # Managed elsewhere, as the stack (conduit:externalSecrets) declares on the service.
        [_declared_external("other,jwt-secret-key")],
        # A version whose secret is unknown at preview: the secret it depends on has one.
        [
            _SECRET,
            Res(VERSION, {"secret": samples.UNKNOWN}, dependencies=[_SECRET.urn]),
            Res(SERVICE, samples.service()),
        ],
        # The annotation unknown at preview declares nothing: the secret is the stack's.
        [
            _SECRET,
            _VERSION,
            Res(
                SERVICE,
                changed(
                    samples.service(), "annotations", {EXTERNAL_SECRETS_ANNOTATION: samples.UNKNOWN}
                ),
            ),
        ],
    ],
    bad=[
        # External by the policy config and by the annotation together; an external secret
        # before the undefined one does not stop the judging; every defined secret is listed.
        Bad(
            [
                _SECRET,
                _VERSION,
                _DB_PASSWORD,
                _DB_PASSWORD_VERSION,
                _also_reading_api_key(_declared_external("other")),
            ],
            (
                Want(
                    (
                        "env API_KEY references secret api-key, which the stack does not define "
                        "(defined: db-password, jwt-secret-key)."
                    ),
                    ("template.containers.envs.API_KEY",),
                    "api-key",
                    ["db-password", "jwt-secret-key"],
                    urn=urn(SERVICE, "backend"),
                ),
            ),
            config={"externalSecrets": ["jwt-secret-key"]},
        ),
        # The drift of the incident in a v1 service: located at its v1 env.
        Bad(
            [_DRIFTED, Res(SERVICE_V1, samples.service_v1())],
            (
                Want(
                    (
                        "env JWT_SECRET_KEY references secret jwt-secret-key, which the stack "
                        "does not define (did you mean jwt-secret?)."
                    ),
                    ("template.spec.containers.envs.JWT_SECRET_KEY",),
                    "jwt-secret-key",
                    ["jwt-secret"],
                    urn=urn(SERVICE_V1, "backend"),
                ),
            ),
        ),
        Bad(
            [_DRIFTED, Res(SERVICE, samples.service())],
            (
                Want(
                    (
                        "env JWT_SECRET_KEY references secret jwt-secret-key, which the stack "
                        "does not define (did you mean jwt-secret?)."
                    ),
                    ("template.containers.envs.JWT_SECRET_KEY",),
                    "jwt-secret-key",
                    ["jwt-secret"],
                    urn=urn(SERVICE, "backend"),
                ),
            ),
        ),
        Bad(
            [_SECRET, Res(SERVICE, samples.service())],
            (
                Want(
                    (
                        "env JWT_SECRET_KEY references secret jwt-secret-key, which has no "
                        "version: the revision will fail to start."
                    ),
                    ("template.containers.envs.JWT_SECRET_KEY",),
                    urn=urn(SERVICE, "backend"),
                ),
            ),
        ),
        # Declared external for another service only: this one still needs it defined.
        Bad(
            [_declared_external(""), Res(SERVICE, {**samples.service(), "name": "auth"})],
            (
                Want(
                    (
                        "env JWT_SECRET_KEY references secret jwt-secret-key, which the stack "
                        "does not define (defined: none)."
                    ),
                    ("template.containers.envs.JWT_SECRET_KEY",),
                    "jwt-secret-key",
                    [],
                    urn=urn(SERVICE, "backend"),
                ),
                Want(
                    (
                        "env JWT_SECRET_KEY references secret jwt-secret-key, which the stack "
                        "does not define (defined: none)."
                    ),
                    ("template.containers.envs.JWT_SECRET_KEY",),
                    "jwt-secret-key",
                    [],
                    urn=urn(SERVICE, "auth"),
                ),
            ),
        ),
        Bad(
            [Res(SERVICE, samples.service())],
            (
                Want(
                    (
                        "env JWT_SECRET_KEY references secret jwt-secret-key, which the stack "
                        "does not define (defined: none)."
                    ),
                    ("template.containers.envs.JWT_SECRET_KEY",),
                    "jwt-secret-key",
                    [],
                    urn=urn(SERVICE, "backend"),
                ),
            ),
        ),
    ],
)

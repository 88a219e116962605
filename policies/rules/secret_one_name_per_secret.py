"""secret-one-name-per-secret: a secret reaches every service under the same env var name.

The incident's drift: one service read the JWT secret as JWT_SECRET_KEY, the other expected
JWT_SECRET. Two names for one secret are how two apps drift apart; one name keeps them in step.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import EnforcementLevel, Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE, secret_id_of, secret_refs
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.props import at

ENVS = "template.containers.envs"
REMEDIATION = (
    "Read the secret under one env var name in every service (rename it in the app, or give the "
    "service that name in conduit:secrets)."
)


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    # Secret id -> env name -> the services (name, urn) that read it under that name.
    readers: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for service in of_type(resources, SERVICE):
        name = str(at(service.props, "name", str, default="?"))
        for env_name, secret in secret_refs(service.props):
            by_name = readers.setdefault(secret_id_of(secret), {})
            by_name.setdefault(env_name, []).append((name, service.urn))
    for secret_id, by_name in sorted(readers.items()):
        if len(by_name) < 2:
            continue
        names = sorted(by_name)
        described = " and ".join(
            f"{env} ({', '.join(n for n, _ in by_name[env])})" for env in names
        )
        # The name most services use is the one to keep; the first other reader is the subject.
        common = min(names, key=lambda env: (-len(by_name[env]), env))
        odd = next(env for env in names if env != common)
        _, subject = by_name[odd][0]
        yield Violation(
            f"secret {secret_id} is read as {described}: one secret, several names.",
            (f"{ENVS}.{odd}",),
            observed=odd,
            required=common,
            urn=subject,
            related=tuple(
                (service_urn, f"{ENVS}.{env}")
                for env in names
                for _, service_urn in by_name[env]
                if service_urn != subject
            ),
        )


POLICY = stack_policy(
    name="secret-one-name-per-secret",
    description="A secret reaches every service under one env var name.",
    check=check,
    severity=Severity.LOW,
    remediation=REMEDIATION,
    enforcement=EnforcementLevel.ADVISORY,
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _service(name: str, env_name: str) -> Res:
    """A service reading the JWT secret as `env_name`."""
    props = changed(samples.service(), "template.containers.0.envs.5.name", env_name)
    return Res(SERVICE, {**props, "name": name})


def _with_api_key(resource: Res) -> Res:
    """`resource` also reading secret api-key (one name only: no finding of its own)."""
    ref = {"name": "API_KEY", "valueSource": {"secretKeyRef": {"secret": "api-key"}}}
    resource.props["template"]["containers"][0]["envs"].append(ref)
    return resource


def _unnamed(env_name: str) -> Res:
    resource = _service("x", env_name)
    del resource.props["name"]
    resource.urn = urn(SERVICE, "unnamed")
    return resource


# pragma: no mutate end

EXAMPLES = Examples(
    good=[
        [_service("backend", "JWT_SECRET_KEY"), _service("auth", "JWT_SECRET_KEY")],
        [_service("backend", "JWT_SECRET_KEY")],
    ],
    bad=[
        # A secret read under one name (api-key, sorted first) does not stop the judging; a
        # service without a name is shown as "?"; with one reader each, the first name is kept.
        Bad(
            [_with_api_key(_service("backend", "JWT_SECRET_KEY")), _unnamed("JWT_SECRET")],
            (
                Want(
                    "secret jwt-secret-key is read as JWT_SECRET (?) and JWT_SECRET_KEY "
                    "(backend): one secret, several names.",
                    ("template.containers.envs.JWT_SECRET_KEY",),
                    observed="JWT_SECRET_KEY",
                    required="JWT_SECRET",
                    urn=urn(SERVICE, "backend"),
                    related=((urn(SERVICE, "unnamed"), "template.containers.envs.JWT_SECRET"),),
                ),
            ),
        ),
        Bad(
            [
                _service("backend", "JWT_SECRET_KEY"),
                _service("auth", "JWT_SECRET"),
                _service("worker", "JWT_SECRET_KEY"),
            ],
            (
                Want(
                    "secret jwt-secret-key is read as JWT_SECRET (auth) and JWT_SECRET_KEY "
                    "(backend, worker): one secret, several names.",
                    ("template.containers.envs.JWT_SECRET",),
                    observed="JWT_SECRET",
                    required="JWT_SECRET_KEY",
                    urn=urn(SERVICE, "auth"),
                    related=(
                        (urn(SERVICE, "backend"), "template.containers.envs.JWT_SECRET_KEY"),
                        (urn(SERVICE, "worker"), "template.containers.envs.JWT_SECRET_KEY"),
                    ),
                ),
            ),
        ),
    ],
)

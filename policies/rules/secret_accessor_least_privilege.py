"""secret-accessor-least-privilege: secret access granted per secret, to service accounts only."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE, secret_id_of, secret_refs
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import urn_of
from policies.guard.props import UNKNOWN, at, items, known

ACCESSOR_ROLES = ("roles/secretmanager.secretAccessor", "roles/secretmanager.admin")
PROJECT_IAM = (
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding",
    "gcp:organizations/iAMMember:IAMMember",
    "gcp:organizations/iAMBinding:IAMBinding",
)
SECRET = "gcp:secretmanager/secret:Secret"
SECRET_IAM = (
    "gcp:secretmanager/secretIamMember:SecretIamMember",
    "gcp:secretmanager/secretIamBinding:SecretIamBinding",
)
REMEDIATION = (
    "Grant roles/secretmanager.secretAccessor on each secret (SecretIamMember) to the service's "
    "own service account, never on the project and never to users or groups."
)


def _members(resource: StackResource) -> list[str]:
    member = at(resource.props, "member", str)
    if member is not None:
        return [member] if known(member) else []
    return [m for m in items(resource.props, "members") if m is not UNKNOWN]


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    for grant in of_type(resources, *PROJECT_IAM):
        if at(grant.props, "role", str) in ACCESSOR_ROLES:
            yield Violation(
                f"{at(grant.props, 'role', str)} is granted project-wide: every secret becomes "
                "readable.",
                ("role",),
                urn=grant.urn,
            )
    # Who may read what: keyed by the secret id or name a grant names, and the URNs it depends on.
    readers: dict[str, set[str]] = {}
    for grant in of_type(resources, *SECRET_IAM):
        if at(grant.props, "role", str) not in ACCESSOR_ROLES:
            continue
        members = _members(grant)
        for member in members:
            if not member.startswith("serviceAccount:"):
                yield Violation(
                    f"secret access granted to {member}, not a service account.",
                    ("member",),
                    member,
                    "serviceAccount:...",
                    urn=grant.urn,
                )
        keys = {urn_of(d) for d in grant.dependencies}
        secret_id = at(grant.props, "secretId", str)
        if known(secret_id):
            keys.add(secret_id)
        for key in keys:
            # A member unknown at preview could be anyone: count it as granted.
            readers.setdefault(key, set()).update(members or {"*"})
    secrets = {at(s.props, "secretId", str): s for s in of_type(resources, SECRET)}
    for service in of_type(resources, SERVICE):
        account = at(service.props, "template.serviceAccount", str)
        if not known(account):
            continue
        for env_name, reference in secret_refs(service.props):
            secret_id = secret_id_of(reference)
            secret = secrets.get(secret_id)
            if secret is None:
                continue  # secret-references-resolve reports it.
            spellings = (secret.urn, secret_id, at(secret.props, "name", str))
            allowed = set().union(*(readers.get(k, set()) for k in spellings if known(k)))
            if f"serviceAccount:{account}" not in allowed and "*" not in allowed:
                yield Violation(
                    f"the service account cannot read secret {secret_id} (env {env_name}): the "
                    "revision will fail to start.",
                    (f"template.containers.envs.{env_name}",),
                    urn=service.urn,
                )


POLICY = stack_policy(
    name="secret-accessor-least-privilege",
    description="Secret access is granted per secret to the service's own service account.",
    check=check,
    inspects=(
        "gcp:organizations/iAMBinding:IAMBinding",
        "gcp:organizations/iAMMember:IAMMember",
        "gcp:projects/iAMBinding:IAMBinding",
        "gcp:projects/iAMMember:IAMMember",
        "gcp:secretmanager/secret:Secret",
        "gcp:secretmanager/secretIamBinding:SecretIamBinding",
        "gcp:secretmanager/secretIamMember:SecretIamMember",
    ),
    severity=Severity.HIGH,
    security=True,
    remediation=REMEDIATION,
)

_SECRET_NAME = f"projects/{samples.PROJECT}/secrets/jwt-secret-key"
_SECRET = Res(SECRET, {"secretId": "jwt-secret-key", "name": _SECRET_NAME})
_GRANT = Res(
    SECRET_IAM[0],
    {
        "secretId": _SECRET_NAME,
        "role": ACCESSOR_ROLES[0],
        "member": f"serviceAccount:{samples.SERVICE_ACCOUNT}",
    },
)
_SERVICE = Res(SERVICE, samples.service())
_BINDING_URN = urn(SECRET_IAM[1])
_MISSING_REF = {"secretKeyRef": {"secret": "not-in-the-stack", "version": "latest"}}


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _service(name: str, path: str, value: object) -> Res:
    return Res(SERVICE, {**changed(samples.service(), path, value), "name": name})


_MISSING_FIRST = _service(
    "backend",
    "template.containers.0.envs",
    [
        {"name": "X", "valueSource": _MISSING_REF},
        *samples.service()["template"]["containers"][0]["envs"],
    ],
)
"""The backend with a secret not in the stack before the one it cannot read."""
# pragma: no mutate end


EXAMPLES = Examples(
    good=[
        [_SECRET, _GRANT, _SERVICE],
        # A member unknown at preview could be the service's own account: counted as granted.
        [_SECRET, Res(SECRET_IAM[0], changed(_GRANT.props, "member", samples.UNKNOWN)), _SERVICE],
    ],
    bad=[
        # Before the judged service: a grant of another role and a service whose account is
        # unknown at preview; before the judged secret, one not in the stack. The binding
        # grants another account and a group (a member unknown beside them is passed over).
        Bad(
            [
                _SECRET,
                Res(
                    SECRET_IAM[0],
                    {**_GRANT.props, "role": "roles/secretmanager.viewer", "member": "group:g"},
                ),
                Res(
                    SECRET_IAM[1],
                    {
                        "secretId": _SECRET_NAME,
                        "role": ACCESSOR_ROLES[1],
                        "members": [samples.UNKNOWN, "serviceAccount:other@p", "group:devs"],
                    },
                    urn=_BINDING_URN,
                ),
                _service("unknown", "template.serviceAccount", samples.UNKNOWN),
                _MISSING_FIRST,
            ],
            (
                Want(
                    "secret access granted to group:devs, not a service account.",
                    ("member",),
                    "group:devs",
                    "serviceAccount:...",
                    urn=_BINDING_URN,
                ),
                Want(
                    (
                        "the service account cannot read secret jwt-secret-key (env "
                        "JWT_SECRET_KEY): the revision will fail to start."
                    ),
                    ("template.containers.envs.JWT_SECRET_KEY",),
                    urn=urn(SERVICE, "backend"),
                ),
            ),
        ),
        Bad(
            [
                _SECRET,
                Res(
                    PROJECT_IAM[0],
                    {
                        "project": samples.PROJECT,
                        "role": ACCESSOR_ROLES[0],
                        "member": "serviceAccount:x@y",
                    },
                ),
                _SERVICE,
            ],
            (
                Want(
                    (
                        "roles/secretmanager.secretAccessor is granted project-wide: every "
                        "secret becomes readable."
                    ),
                    ("role",),
                    urn=urn("gcp:projects/iAMMember:IAMMember"),
                ),
                Want(
                    (
                        "the service account cannot read secret jwt-secret-key (env "
                        "JWT_SECRET_KEY): the revision will fail to start."
                    ),
                    ("template.containers.envs.JWT_SECRET_KEY",),
                    urn=urn(SERVICE, "backend"),
                ),
            ),
        ),
        Bad(
            [
                _SECRET,
                _GRANT,
                Res(
                    SECRET_IAM[0],
                    {
                        "secretId": _SECRET_NAME,
                        "role": ACCESSOR_ROLES[0],
                        "member": "group:devs@acme.com",
                    },
                ),
                _SERVICE,
            ],
            (
                Want(
                    "secret access granted to group:devs@acme.com, not a service account.",
                    ("member",),
                    "group:devs@acme.com",
                    "serviceAccount:...",
                    urn=urn("gcp:secretmanager/secretIamMember:SecretIamMember"),
                ),
            ),
        ),
    ],
)

"""secret-no-unread-accessor-grant: a Cloud Run runtime account reads each secret it is granted.

secret-accessor-least-privilege asks that every secret a service references be readable by its
account; this asks the converse: an accessor grant to the account of a Cloud Run service or job
on a secret that none of the services and jobs running as that account reads (by an env
`secretKeyRef` or a secret volume) is access nobody uses, which a compromised revision could
still use (the incident's auth service was granted the database password its contract does not
read, issue #26). Advisory: an app may read a secret through the Secret Manager API in its own
code, which the plan does not show. Accounts that run no service or job of the stack (a CI
identity) are not judged. Neither Checkov nor Trivy has a check for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import EnforcementLevel, Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import JOB, SERVICE, secret_id_of
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.props import UNKNOWN, NotApplicableError, at, items, known
from policies.rules.secret_accessor_least_privilege import ACCESSOR_ROLES, SECRET_IAM

REMEDIATION = (
    "Remove the grant, or give the service or job the secret it is for (an env var by "
    "valueSource.secretKeyRef); in Conduit a service receives and is granted only the secrets "
    "its requiredEnv reads (conduit:service.secrets)."
)

_TEMPLATE = {SERVICE: "template", JOB: "template.template"}


def _reads(resource: StackResource) -> set[str] | None:
    """The secret ids a service or job reads (env refs and secret volumes); None when the
    preview cannot see all of them."""
    template = _TEMPLATE[resource.resource_type]
    found: set[str] = set()
    try:
        for container in items(resource.props, f"{template}.containers"):
            for env in [] if container is UNKNOWN else items(container, "envs"):
                if env is UNKNOWN:
                    return None
                secret = at(env, "valueSource.secretKeyRef.secret", str)
                if secret is UNKNOWN:
                    return None
                if secret is not None:
                    found.add(secret_id_of(secret))
            if container is UNKNOWN:
                return None
        for volume in items(resource.props, f"{template}.volumes"):
            secret = UNKNOWN if volume is UNKNOWN else at(volume, "secret.secret", str)
            if secret is UNKNOWN:
                return None
            if secret is not None:
                found.add(secret_id_of(secret))
    except NotApplicableError:
        return None
    return found


def _is_v1(resource: StackResource) -> bool:
    # A v1 service is seen as v2 (cloudrun_v1.as_v2), which carries no secret volume: its
    # reads are not all known, so its account is not judged.
    parts = resource.urn.split("::")
    return len(parts) > 2 and parts[2].split("$")[-1] == SERVICE_V1


def _readers(resources: Sequence[StackResource]) -> dict[str, set[str] | None]:
    """serviceAccount:<account> -> the secrets its services and jobs read (None: not judged)."""
    readers: dict[str, set[str] | None] = {}
    for resource in of_type(resources, SERVICE, JOB):
        account = at(resource.props, f"{_TEMPLATE[resource.resource_type]}.serviceAccount", str)
        if not known(account):
            continue  # An unknown account may be any; the default one is not granted per secret.
        member = f"serviceAccount:{account}"
        reads = None if _is_v1(resource) else _reads(resource)
        if member in readers and readers[member] is None:
            continue
        readers[member] = None if reads is None else (readers.get(member) or set()) | reads
    return readers


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    readers = _readers(resources)
    for grant in of_type(resources, *SECRET_IAM):
        role = at(grant.props, "role", str)
        secret = at(grant.props, "secretId", str)
        if role not in ACCESSOR_ROLES or not known(secret):
            continue
        member = at(grant.props, "member", str)
        members = [member] if member is not None else items(grant.props, "members")
        for each in members:
            if not known(each) or each not in readers or readers[each] is None:
                continue
            secret_id = secret_id_of(secret)
            if secret_id not in (readers[each] or set()):
                yield Violation(
                    f"{each} is granted {role} on secret {secret_id}, which no service or job "
                    "running as it reads.",
                    ("member",) if member is not None else ("members",),
                    each,
                    urn=grant.urn,
                )


POLICY = stack_policy(
    name="secret-no-unread-accessor-grant",
    description="A Cloud Run runtime account is granted only the secrets its workloads read.",
    check=check,
    inspects=(*SECRET_IAM, JOB, SERVICE),
    severity=Severity.MEDIUM,
    security=True,
    remediation=REMEDIATION,
    enforcement=EnforcementLevel.ADVISORY,
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
_AUTH = f"auth-run@{samples.PROJECT}.iam.gserviceaccount.com"
_PROBE = f"backend-probe-sa@{samples.PROJECT}.iam.gserviceaccount.com"


def _grant(name: str, secret: str, account: str, role: str = ACCESSOR_ROLES[0]) -> Res:
    props = {
        "secretId": f"projects/{samples.PROJECT}/secrets/{secret}",
        "role": role,
        "member": f"serviceAccount:{account}",
    }
    return Res(SECRET_IAM[0], props, urn=urn(SECRET_IAM[0], name))


def _service(name: str, account: str) -> Res:
    """The sample service (it reads jwt-secret-key) named `name`, running as `account`."""
    return Res(
        SERVICE, changed({**samples.service(), "name": name}, "template.serviceAccount", account)
    )


def _job(name: str, secret: str | None) -> Res:
    """The sample job as the probe's account, reading `secret` as DATABASE_PASSWORD."""
    props = changed({**samples.job(), "name": name}, "template.template.serviceAccount", _PROBE)
    if secret is not None:
        ref = {"secretKeyRef": {"secret": secret, "version": "latest"}}
        container = props["template"]["template"]["containers"][0]
        container["envs"] = [{"name": "DATABASE_PASSWORD", "valueSource": ref}]
    return Res(JOB, props)


def _with_volume(resource: Res, secret: str) -> Res:
    resource.props["template"].setdefault("volumes", []).append(
        {"name": "certs", "secret": {"secret": secret}}
    )
    return resource


_AUTH_SECRET_GRANT = _grant("auth-jwt", "jwt-secret-key", _AUTH)
# pragma: no mutate end

EXAMPLES = Examples(
    good=[
        # Each account granted what its service or jobs read; a second job of the probe's
        # account reads what the first does not; a volume is a read; a CI account is not judged.
        [
            _service("auth", _AUTH),
            _AUTH_SECRET_GRANT,
            _job("backend-probe", None),
            _job("backend-probe-db", "backend-probe-db-password"),
            _grant("probe-db", "backend-probe-db-password", _PROBE),
            _with_volume(_service("auth-2", _AUTH), "auth-ca"),
            _grant("auth-ca", "auth-ca", _AUTH),
            _grant(
                "ci", "backend-db-password", f"deploy@{samples.PROJECT}.iam.gserviceaccount.com"
            ),
            _grant("viewer", "backend-db-password", _AUTH, "roles/secretmanager.viewer"),
        ],
        # Unknown at preview: the grant's secret.
        [
            _service("auth", _AUTH),
            Res(
                SECRET_IAM[0],
                changed(_grant("u", "y", _AUTH).props, "secretId", samples.UNKNOWN),
                urn=urn(SECRET_IAM[0], "u"),
            ),
        ],
        # Unknown at preview: the envs of one of the account's services (it may read x).
        [
            _service("auth", _AUTH),
            Res(
                SERVICE,
                changed(
                    changed(samples.service(), "template.serviceAccount", _AUTH),
                    "template.containers.0.envs",
                    samples.UNKNOWN,
                ),
            ),
            _grant("x", "x", _AUTH),
        ],
    ],
    bad=[
        # One step past: auth is granted the database password it does not read; the grant
        # on what it reads, before it, is fine.
        Bad(
            [
                _service("auth", _AUTH),
                _AUTH_SECRET_GRANT,
                _grant("auth-db", "backend-db-password", _AUTH),
            ],
            (
                Want(
                    f"serviceAccount:{_AUTH} is granted roles/secretmanager.secretAccessor on "
                    "secret backend-db-password, which no service or job running as it reads.",
                    ("member",),
                    f"serviceAccount:{_AUTH}",
                    urn=urn(SECRET_IAM[0], "auth-db"),
                ),
            ),
        ),
        # A job's account, and a binding's members.
        Bad(
            [
                _job("backend-probe", "backend-probe-db-password"),
                _grant("probe-db", "backend-probe-db-password", _PROBE),
                Res(
                    SECRET_IAM[1],
                    {
                        "secretId": "jwt-secret-key",
                        "role": ACCESSOR_ROLES[0],
                        "members": [f"serviceAccount:{_PROBE}", "serviceAccount:ci@x"],
                    },
                    urn=urn(SECRET_IAM[1], "jwt"),
                ),
            ],
            (
                Want(
                    f"serviceAccount:{_PROBE} is granted roles/secretmanager.secretAccessor on "
                    "secret jwt-secret-key, which no service or job running as it reads.",
                    ("members",),
                    f"serviceAccount:{_PROBE}",
                    urn=urn(SECRET_IAM[1], "jwt"),
                ),
            ),
        ),
    ],
)

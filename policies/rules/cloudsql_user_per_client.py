"""cloudsql-user-per-client: no two Cloud Run identities share one database login.

A login shared by two runtime accounts (one `DATABASE_PASSWORD` secret read by both, or one
literal `DATABASE_USER`) has one revocation for both clients, one name in the connection and
pgAudit logs for both, and makes each account a holder of the other's access: rotating or
dropping it for one stops the other. Conduit gives each client that logs in a Cloud SQL user
and password secret of its own (issue #26); this rule judges any program the same way.

Cloud Run v2 services and jobs and v1 services (as the v2 service they describe) are the
clients; two of them with the same account (the probe's tier jobs) are one client. Advisory:
a program may share a login on purpose (a service and its migration job), and the pack cannot
tell that from the plan. Neither Checkov nor Trivy has a check for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import JOB, SERVICE, secret_id_of
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.props import UNKNOWN, NotApplicableError, at, items, known

PASSWORD_ENV = "DATABASE_PASSWORD"
USER_ENV = "DATABASE_USER"
DEFAULT_ACCOUNT = "the default compute account"
"""Who a service or job without serviceAccount runs as (cloudrun-dedicated-service-account and
cloudrun-job-dedicated-service-account report it); two such clients are one identity."""
REMEDIATION = (
    "Give each service or job that logs in a database user and password secret of its own, "
    "granted to its own service account alone (Conduit does: conduit:database.userName)."
)

_PLACES = {SERVICE: ("service", "template"), JOB: ("job", "template.template")}
"""(what a client is called, where its account and containers are) by type."""


@dataclass(frozen=True)
class _Client:
    kind: str
    name: str
    urn: str
    account: str
    envs: str
    """The path of its containers' envs."""
    password_secret: str | None
    user: str | None


def _known_items(props: Any, path: str) -> list[Any]:
    """The known elements of the list at `path`: an unknown list leaves this client out (the
    preview cannot see its login), not the whole stack as `items` would."""
    try:
        return [e for e in items(props, path) if e is not UNKNOWN]
    except NotApplicableError:
        return []


def _login(container: Any) -> tuple[str | None, str | None]:
    """(the secret DATABASE_PASSWORD references, DATABASE_USER's literal value) of a container;
    None for what it does not set or the preview does not know."""
    password = user = None
    for env in _known_items(container, "envs"):
        name = at(env, "name", str)
        if name == PASSWORD_ENV:
            secret = at(env, "valueSource.secretKeyRef.secret", str)
            password = secret_id_of(secret) if known(secret) else None
        elif name == USER_ENV and at(env, "valueSource", Mapping) is None:
            value = at(env, "value", str)
            user = value if known(value) and value != "" else None
    return password, user


def _client(resource: StackResource) -> _Client | None:
    kind, template = _PLACES[resource.resource_type]
    account = at(resource.props, f"{template}.serviceAccount", str)
    if account is UNKNOWN:
        return None  # It may be anyone's: judged when the update knows it.
    password = user = None
    for container in _known_items(resource.props, f"{template}.containers"):
        secret, name = _login(container)
        password, user = password or secret, user or name
    if password is None and user is None:
        return None
    return _Client(
        kind,
        str(at(resource.props, "name", str, default="?")),
        resource.urn,
        account or DEFAULT_ACCOUNT,
        f"{template}.containers.envs",
        password,
        user,
    )


def _shared(client: _Client, earlier: list[_Client]) -> tuple[_Client, str, str] | None:
    """The first earlier client of another identity that logs in as `client` does, with the
    env it shares and how the finding says it; the password first."""
    for env, mine, said in (
        (PASSWORD_ENV, client.password_secret, f"the password of secret {client.password_secret}"),
        (USER_ENV, client.user, f"database user {client.user}"),
    ):
        if mine is None:
            continue
        for other in earlier:
            theirs = other.password_secret if env == PASSWORD_ENV else other.user
            if theirs == mine and other.account != client.account:
                return other, env, said
    return None


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    clients: list[_Client] = []
    for resource in of_type(resources, SERVICE, JOB):
        client = _client(resource)
        if client is None:
            continue
        shared = _shared(client, clients)
        clients.append(client)
        if shared is None:
            continue
        other, env, said = shared
        yield Violation(
            f"{client.kind} {client.name} ({client.account}) logs in with {said} ({env}), as "
            f"{other.kind} {other.name} ({other.account}) does: two identities share one "
            "database login.",
            (f"{client.envs}.{env}",),
            observed=client.password_secret if env == PASSWORD_ENV else client.user,
            urn=client.urn,
            related=((other.urn, f"{other.envs}.{env}"),),
        )


POLICY = stack_policy(
    name="cloudsql-user-per-client",
    description="Each Cloud Run identity that logs in to the database has a login of its own.",
    check=check,
    inspects=(JOB, SERVICE_V1, SERVICE),
    severity=Severity.MEDIUM,
    security=True,
    remediation=REMEDIATION,
    enforcement=EnforcementLevel.ADVISORY,
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
_AUTH = f"auth-run@{samples.PROJECT}.iam.gserviceaccount.com"
_PROBE = f"backend-probe-sa@{samples.PROJECT}.iam.gserviceaccount.com"


def _set_login(envs: list[dict[str, Any]], user: str | None, secret: str | None) -> None:
    if user is not None:
        envs.append({"name": USER_ENV, "value": user})
    if secret is not None:
        ref = {"secret": secret, "version": "latest"}
        envs.append({"name": PASSWORD_ENV, "valueSource": {"secretKeyRef": ref}})


def _service(name: str, account: str | None, user: str | None, secret: str | None) -> Res:
    """The sample service named `name`, running as `account`, logging in as `user` with the
    password of `secret` (None: that env is not set)."""
    props = changed({**samples.service(), "name": name}, "template.serviceAccount", account)
    _set_login(props["template"]["containers"][0]["envs"], user, secret)
    return Res(SERVICE, props)


def _job(name: str, account: str, user: str | None, secret: str | None) -> Res:
    props = changed({**samples.job(), "name": name}, "template.template.serviceAccount", account)
    container = props["template"]["template"]["containers"][0]
    container["envs"] = []
    _set_login(container["envs"], user, secret)
    return Res(JOB, props)


def _v1_service(name: str, account: str, user: str, secret: str) -> Res:
    props = {**samples.service_v1(), "name": name}
    props["template"]["spec"]["serviceAccountName"] = account
    envs = props["template"]["spec"]["containers"][0]["envs"]
    envs.append({"name": USER_ENV, "value": user})
    ref = {"name": secret, "key": "latest"}
    envs.append({"name": PASSWORD_ENV, "valueFrom": {"secretKeyRef": ref}})
    return Res(SERVICE_V1, props)


def _unknown(resource: Res, path: str) -> Res:
    """`resource` with the list at `path` unknown at preview."""
    return Res(resource.resource_type, changed(resource.props, path, samples.UNKNOWN))


_BACKEND = _service("backend", samples.SERVICE_ACCOUNT, "app_backend", "backend-db-password")
_ENVS = "template.containers.envs"
_JOB_ENVS = "template.template.containers.envs"
# pragma: no mutate end

EXAMPLES = Examples(
    good=[
        # Conduit's own shape: each client its user and secret; auth does not log in.
        [
            _BACKEND,
            _service("auth", _AUTH, None, None),
            _job("backend-probe", _PROBE, "app_probe", "backend-probe-db-password"),
        ],
        # At the limit: one identity (the probe job and its tier job) may share its own login.
        [
            _job("backend-probe", _PROBE, "app_probe", "backend-probe-db-password"),
            _job("backend-probe-connectivity", _PROBE, "app_probe", "backend-probe-db-password"),
        ],
        # A secret or an account unknown at preview is judged when the update knows it.
        [
            _BACKEND,
            _service("auth", _AUTH, None, samples.UNKNOWN),
            _service("worker", samples.UNKNOWN, "app_backend", "backend-db-password"),
            _unknown(_service("copy", _AUTH, "app_backend", None), "template.containers"),
            _unknown(_job("j", _AUTH, "app_backend", None), "template.template.containers.0.envs"),
        ],
    ],
    bad=[
        # One step past: a second identity reads the same password secret.
        Bad(
            [
                _BACKEND,
                _service("auth", _AUTH, "app_auth", "backend-db-password"),
            ],
            (
                Want(
                    f"service auth ({_AUTH}) logs in with the password of secret "
                    f"backend-db-password (DATABASE_PASSWORD), as service backend "
                    f"({samples.SERVICE_ACCOUNT}) does: two identities share one database "
                    "login.",
                    (f"{_ENVS}.DATABASE_PASSWORD",),
                    observed="backend-db-password",
                    urn=urn(SERVICE, "auth"),
                    related=((urn(SERVICE, "backend"), f"{_ENVS}.DATABASE_PASSWORD"),),
                ),
            ),
        ),
        # The same literal user with passwords of their own; the judged job comes after a
        # first job of its own login, and two clients without an account are one identity.
        Bad(
            [
                _BACKEND,
                _job("backend-probe", _PROBE, "app_probe", "backend-probe-db-password"),
                _job("backend-migrate", _AUTH, "app_backend", "migrate-db-password"),
                _service("a", None, "app_a", None),
                _service("b", None, "app_a", None),
            ],
            (
                Want(
                    f"job backend-migrate ({_AUTH}) logs in with database user app_backend "
                    f"(DATABASE_USER), as service backend ({samples.SERVICE_ACCOUNT}) does: "
                    "two identities share one database login.",
                    (f"{_JOB_ENVS}.DATABASE_USER",),
                    observed="app_backend",
                    urn=urn(JOB, "backend-migrate"),
                    related=((urn(SERVICE, "backend"), f"{_ENVS}.DATABASE_USER"),),
                ),
            ),
        ),
        # A v1 service is a client too, its finding at its own v1 path; the default compute
        # account is an identity of its own.
        Bad(
            [
                _service("backend", None, "app", "db-password"),
                _v1_service("legacy", _AUTH, "app", "db-password"),
            ],
            (
                Want(
                    f"service legacy ({_AUTH}) logs in with the password of secret db-password "
                    f"(DATABASE_PASSWORD), as service backend ({DEFAULT_ACCOUNT}) does: two "
                    "identities share one database login.",
                    ("template.spec.containers.envs.DATABASE_PASSWORD",),
                    observed="db-password",
                    urn=urn(SERVICE_V1, "legacy"),
                    related=((urn(SERVICE, "backend"), f"{_ENVS}.DATABASE_PASSWORD"),),
                ),
            ),
        ),
    ],
)

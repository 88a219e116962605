"""Which input fields name which other resources, and by which form: the table behind the rule
`references-wait-for-target` and the e2e stand-in providers' 404s.

GCP resolves these references when the referencing resource is created: an IAM member on a job
that does not exist yet, a secret version of a missing secret, an alert policy on an unknown
metric are refused (404 or 400). A program that writes such a reference as a literal string
gives the engine no reason to wait, and it creates both at once. Fields are input paths as the
engine records them (camelCase); lists along a path are walked through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Form = Literal["name", "member", "connection", "metric", "check"]
"""How a field's value names its target:
- name: a short name, a resource path (`projects/p/.../jobs/NAME`) or URL ending in it
  (`.../jobs/NAME:run`);
- member: an IAM member or email of a service account (`serviceAccount:NAME@P.iam...`);
- connection: a Cloud SQL connection name (`project:region:NAME`);
- metric: a Monitoring filter naming user-defined log metrics (`logging.googleapis.com/user/NAME`);
- check: a Monitoring filter naming uptime checks (`metric.labels.check_id=...`).
"""

JOB = "gcp:cloudrunv2/job:Job"
SERVICE = "gcp:cloudrunv2/service:Service"
SECRET = "gcp:secretmanager/secret:Secret"
ACCOUNT = "gcp:serviceaccount/account:Account"
NETWORK = "gcp:compute/network:Network"
SUBNETWORK = "gcp:compute/subnetwork:Subnetwork"
ADDRESS = "gcp:compute/globalAddress:GlobalAddress"
ROUTER = "gcp:compute/router:Router"
CONNECTOR = "gcp:vpcaccess/connector:Connector"
SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
UPTIME_CHECK = "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig"
LOG_METRIC = "gcp:logging/metric:Metric"
REPOSITORY = "gcp:artifactregistry/repository:Repository"

KEY_FIELD: Mapping[str, str] = {
    SECRET: "secretId",
    ACCOUNT: "accountId",
    UPTIME_CHECK: "uptimeCheckId",
    REPOSITORY: "repositoryId",
}
"""The input (or output) holding a target's short name, where it is not `name`."""


@dataclass(frozen=True)
class Reference:
    """`field` of a `source` resource names a resource of one of `targets`."""

    source: str
    field: str
    targets: tuple[str, ...]
    form: Form = "name"


_FILTER_TARGETS: tuple[tuple[tuple[str, ...], Form], ...] = (
    ((LOG_METRIC,), "metric"),
    ((UPTIME_CHECK,), "check"),
)
"""What an alert's filters name: a log-based metric, or an uptime check."""


def _iam(module: str, kind: str, field: str, target: str) -> list[Reference]:
    """The IAM member, binding and policy of one kind (`job` -> `gcp:cloudrunv2/jobIamMember:
    JobIamMember`, ...): the resource they grant on, and the accounts they grant to."""

    def token(part: str) -> str:
        return f"gcp:{module}/{kind}Iam{part}:{kind[:1].upper()}{kind[1:]}Iam{part}"

    return [
        *(Reference(token(part), field, (target,)) for part in ("Member", "Binding", "Policy")),
        Reference(token("Member"), "member", (ACCOUNT,), "member"),
        Reference(token("Binding"), "members", (ACCOUNT,), "member"),
    ]


def _run_template(source: str, prefix: str) -> list[Reference]:
    """What a Cloud Run v2 service's or job's revision template names."""
    return [
        Reference(source, f"{prefix}.serviceAccount", (ACCOUNT,), "member"),
        Reference(source, f"{prefix}.vpcAccess.connector", (CONNECTOR,)),
        Reference(source, f"{prefix}.vpcAccess.networkInterfaces.network", (NETWORK,)),
        Reference(source, f"{prefix}.vpcAccess.networkInterfaces.subnetwork", (SUBNETWORK,)),
        Reference(source, f"{prefix}.containers.envs.valueSource.secretKeyRef.secret", (SECRET,)),
        Reference(source, f"{prefix}.volumes.secret.secret", (SECRET,)),
        Reference(
            source, f"{prefix}.volumes.cloudSqlInstance.instances", (SQL_INSTANCE,), "connection"
        ),
    ]


REFERENCES: tuple[Reference, ...] = (
    *_iam("cloudrunv2", "job", "name", JOB),
    *_iam("cloudrunv2", "service", "name", SERVICE),
    *_iam("secretmanager", "secret", "secretId", SECRET),
    *_iam("artifactregistry", "repository", "repository", REPOSITORY),
    Reference("gcp:projects/iAMMember:IAMMember", "member", (ACCOUNT,), "member"),
    Reference("gcp:secretmanager/secretVersion:SecretVersion", "secret", (SECRET,)),
    *_run_template(SERVICE, "template"),
    *_run_template(JOB, "template.template"),
    Reference("gcp:cloudscheduler/job:Job", "httpTarget.uri", (JOB,)),
    Reference(
        "gcp:cloudscheduler/job:Job",
        "httpTarget.oauthToken.serviceAccountEmail",
        (ACCOUNT,),
        "member",
    ),
    Reference(
        "gcp:cloudscheduler/job:Job",
        "httpTarget.oidcToken.serviceAccountEmail",
        (ACCOUNT,),
        "member",
    ),
    Reference("gcp:monitoring/alertPolicy:AlertPolicy", "notificationChannels", (CHANNEL,)),
    *(
        Reference("gcp:monitoring/alertPolicy:AlertPolicy", f"conditions.{path}", targets, form)
        for path in ("conditionThreshold.filter", "conditionThreshold.denominatorFilter")
        for targets, form in _FILTER_TARGETS
    ),
    Reference(CONNECTOR, "network", (NETWORK,)),
    Reference(CONNECTOR, "subnet.name", (SUBNETWORK,)),
    Reference(ADDRESS, "network", (NETWORK,)),
    Reference(SUBNETWORK, "network", (NETWORK,)),
    Reference(ROUTER, "network", (NETWORK,)),
    Reference("gcp:compute/routerNat:RouterNat", "router", (ROUTER,)),
    Reference("gcp:compute/firewall:Firewall", "network", (NETWORK,)),
    Reference("gcp:servicenetworking/connection:Connection", "network", (NETWORK,)),
    Reference("gcp:servicenetworking/connection:Connection", "reservedPeeringRanges", (ADDRESS,)),
    Reference(SQL_INSTANCE, "settings.ipConfiguration.privateNetwork", (NETWORK,)),
    Reference("gcp:sql/database:Database", "instance", (SQL_INSTANCE,)),
    Reference("gcp:sql/user:User", "instance", (SQL_INSTANCE,)),
    Reference("gcp:redis/instance:Instance", "authorizedNetwork", (NETWORK,)),
)

BY_SOURCE: Mapping[str, tuple[Reference, ...]] = {
    source: tuple(r for r in REFERENCES if r.source == source)
    for source in dict.fromkeys(r.source for r in REFERENCES)
}

_METRIC = re.compile(r'metric\.type\s*=\s*"logging\.googleapis\.com/user/([^"]+)"')
_CHECKS = re.compile(r'metric\.labels?\.check_id\s*=\s*(?:one_of\(([^)]*)\)|("[^"]*"))')
_QUOTED = re.compile(r'"([^"]*)"')
_PROJECT = re.compile(r"(?:^|/)projects/([^/]+)/")
_ACCOUNT_DOMAIN = ".iam.gserviceaccount.com"


def values_at(
    props: Any, field: str, unknown: tuple[type[BaseException], ...] = ()
) -> Iterator[Any]:
    """Every value at the dotted `field` of `props`, through the lists along the way; a step
    that raises one of `unknown` (a value the engine cannot know at preview) is left out."""

    def walk(node: Any, steps: list[str]) -> Iterator[Any]:
        if isinstance(node, Sequence) and not isinstance(node, str):
            for index in range(len(node)):
                try:
                    item = node[index]
                except unknown:
                    continue
                yield from walk(item, steps)
        elif not steps:
            yield node
        elif isinstance(node, Mapping):
            try:
                child = node.get(steps[0])
            except unknown:
                return
            if child is not None:
                yield from walk(child, steps[1:])

    yield from walk(props, field.split("."))


def named(value: str, form: Form) -> list[str]:
    """The short names `value` names in its form (none when it names no resource)."""
    if form == "metric":
        return _METRIC.findall(value)
    if form == "check":
        return [
            name
            for listed, single in _CHECKS.findall(value)
            for name in _QUOTED.findall(listed or single)
        ]
    if form == "member":
        email = value.removeprefix("serviceAccount:")
        email = email.rsplit("/serviceAccounts/", 1)[-1]
        if ":" in email or not email.endswith(_ACCOUNT_DOMAIN):
            return []
        return [email.split("@", 1)[0]]
    if form == "connection":
        return [value.rsplit(":", 1)[-1]] if value.count(":") == 2 else []
    return [value.removesuffix(":run").rstrip("/").rsplit("/", 1)[-1]] if value else []


def project_named(value: str) -> str | None:
    """The project a path names (`projects/P/...`), or the account's (`...@P.iam...`)."""
    match = _PROJECT.search(value)
    if match:
        return match.group(1)
    if value.endswith(_ACCOUNT_DOMAIN) and "@" in value:
        return value.rsplit("@", 1)[-1].removesuffix(_ACCOUNT_DOMAIN)
    return None


def key_of(resource_type: str, props: Mapping[str, Any]) -> Any:
    """A target's short name as references name it (may be unknown at preview)."""
    value = props.get(KEY_FIELD.get(resource_type, "name"))
    if resource_type == CHANNEL and isinstance(value, str):
        # Monitoring names channels `projects/{project}/notificationChannels/{id}`.
        return value.rsplit("/", 1)[-1]
    return value

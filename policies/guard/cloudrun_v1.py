"""A Cloud Run v1 service (`gcp:cloudrun/service:Service`, the Knative shape) read as v2.

The Cloud Run rules read v2 properties (policies/guard/cloudrun.py). A v1 service says the same
things in other places: `template.spec` for the containers, the service account, concurrency
and timeout; revision annotations for scaling and VPC access; service annotations for ingress.
`as_v2` moves each field that maps to where v2 keeps it, unknowns kept unknown, and `v1_path`
says where a v2 path judged by a rule is written in the v1 service, for the finding's location.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import proxy
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

SERVICE_V1 = "gcp:cloudrun/service:Service"
SERVICE_V2 = "gcp:cloudrunv2/service:Service"

MAX_SCALE = "autoscaling.knative.dev/maxScale"
MIN_SCALE = "autoscaling.knative.dev/minScale"
VPC_CONNECTOR = "run.googleapis.com/vpc-access-connector"
VPC_EGRESS = "run.googleapis.com/vpc-access-egress"
NETWORK_INTERFACES = "run.googleapis.com/network-interfaces"
CLOUDSQL_INSTANCES = "run.googleapis.com/cloudsql-instances"
INGRESS = "run.googleapis.com/ingress"
"""The v1 annotations that carry what v2 has as fields
(https://cloud.google.com/run/docs/reference/rest/v1/RevisionTemplate)."""

EGRESS = {"all-traffic": "ALL_TRAFFIC", "private-ranges-only": "PRIVATE_RANGES_ONLY"}
INGRESS_VALUES = {
    "all": "INGRESS_TRAFFIC_ALL",
    "internal": "INGRESS_TRAFFIC_INTERNAL_ONLY",
    "internal-and-cloud-load-balancing": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
}

_REVISION = "template.metadata.annotations"
V1_PATHS = (
    ("template.containers", "template.spec.containers"),
    ("template.serviceAccount", "template.spec.serviceAccountName"),
    ("template.maxInstanceRequestConcurrency", "template.spec.containerConcurrency"),
    ("template.timeout", "template.spec.timeoutSeconds"),
    ("template.scaling.maxInstanceCount", f"{_REVISION}.{MAX_SCALE}"),
    ("template.scaling.minInstanceCount", f"{_REVISION}.{MIN_SCALE}"),
    ("template.scaling", _REVISION),
    ("template.vpcAccess.connector", f"{_REVISION}.{VPC_CONNECTOR}"),
    ("template.vpcAccess.egress", f"{_REVISION}.{VPC_EGRESS}"),
    ("template.vpcAccess", _REVISION),
    ("template.volumes", f"{_REVISION}.{CLOUDSQL_INSTANCES}"),
    ("ingress", f"metadata.annotations.{INGRESS}"),
    ("annotations", "metadata.annotations"),
    ("labels", "metadata.labels"),
)
"""(v2 path prefix, where a v1 service writes it), most specific first."""


def plain(props: Any) -> Any:
    """Properties (the SDK's unknown-checking proxy) as plain dicts and lists; each unknown
    becomes the engine's sentinel again."""
    if isinstance(props, Mapping):
        return {key: _child(props, key) for key in props}
    if isinstance(props, Sequence) and not isinstance(props, str):
        return [_child(props, index) for index in range(len(props))]
    return props


def _child(node: Any, key: Any) -> Any:
    try:
        return plain(node[key])
    except UnknownValueError as unknown:
        return unknown.unknown_type_sentinel


def as_v2(props: Any) -> Any:
    """A v1 service's properties (proxied, as a policy receives them) in v2's shape, proxied."""
    return unknown_checking_proxy(convert(plain(props)))


def convert(v1: dict[str, Any]) -> dict[str, Any]:
    """A v1 service's plain properties in v2's shape: only what maps is carried over."""
    metadata = _mapping(v1.get("metadata"))
    template = _mapping(v1.get("template"))
    spec = _mapping(template.get("spec"))
    revision = _mapping(_mapping(template.get("metadata")).get("annotations"))
    service_annotations = _mapping(metadata.get("annotations"))
    v2: dict[str, Any] = {key: v1[key] for key in ("name", "project") if key in v1}
    if "location" in v1:
        v2["location"] = v1["location"]
    if "labels" in metadata:
        v2["labels"] = metadata["labels"]
    if "annotations" in metadata:
        v2["annotations"] = metadata["annotations"]
    if INGRESS in service_annotations:
        v2["ingress"] = _mapped(service_annotations[INGRESS], INGRESS_VALUES)
    v2_template: dict[str, Any] = {}
    if "containers" in spec:
        v2_template["containers"] = _containers(spec["containers"])
    if "serviceAccountName" in spec:
        v2_template["serviceAccount"] = spec["serviceAccountName"]
    if "containerConcurrency" in spec:
        v2_template["maxInstanceRequestConcurrency"] = spec["containerConcurrency"]
    if "timeoutSeconds" in spec:
        seconds = spec["timeoutSeconds"]
        v2_template["timeout"] = f"{seconds}s" if isinstance(seconds, (int, float)) else seconds
    scaling = {
        field: _count(revision[annotation])
        for field, annotation in (("maxInstanceCount", MAX_SCALE), ("minInstanceCount", MIN_SCALE))
        if annotation in revision
    }
    if scaling:
        v2_template["scaling"] = scaling
    vpc: dict[str, Any] = {}
    if VPC_CONNECTOR in revision:
        vpc["connector"] = revision[VPC_CONNECTOR]
    if VPC_EGRESS in revision:
        vpc["egress"] = _mapped(revision[VPC_EGRESS], EGRESS)
    if NETWORK_INTERFACES in revision:
        vpc["networkInterfaces"] = _json(revision[NETWORK_INTERFACES])
    if vpc:
        v2_template["vpcAccess"] = vpc
    if CLOUDSQL_INSTANCES in revision:
        names = revision[CLOUDSQL_INSTANCES]
        instances = [n.strip() for n in names.split(",") if n.strip()] if _text(names) else names
        v2_template["volumes"] = [
            {"name": "cloudsql", "cloudSqlInstance": {"instances": instances}}
        ]
    if v2_template or template:
        v2["template"] = v2_template
    return v2


def _containers(containers: Any) -> Any:
    if not isinstance(containers, list):
        return containers
    return [_container(c) for c in containers]


def _container(container: Any) -> Any:
    if not isinstance(container, dict):
        return container
    result = {key: value for key, value in container.items() if key not in ("envs", "commands")}
    if "commands" in container:
        result["command"] = container["commands"]
    if "envs" in container:
        envs = container["envs"]
        result["envs"] = [_env(e) for e in envs] if isinstance(envs, list) else envs
    return result


def _env(env: Any) -> Any:
    """`valueFrom.secretKeyRef {name, key}` is v2's `valueSource.secretKeyRef {secret, version}`."""
    if not isinstance(env, dict) or "valueFrom" not in env:
        return env
    result = {key: value for key, value in env.items() if key != "valueFrom"}
    ref = _mapping(_mapping(env["valueFrom"]).get("secretKeyRef"))
    moved = {"secret": ref["name"]} if "name" in ref else {}
    if "key" in ref:
        moved["version"] = ref["key"]
    result["valueSource"] = {"secretKeyRef": moved}
    return result


def v1_path(path: str) -> str:
    """Where a v1 service writes the v2 `path` a rule judged."""
    for v2, v1 in V1_PATHS:
        if path == v2 or path.startswith(f"{v2}."):
            # An annotation is one key: what a rule reads inside its value has no path of its own.
            in_annotation = v1.startswith((_REVISION, "metadata.annotations."))
            return v1 if in_annotation else v1 + path[len(v2) :]
    return path


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> bool:
    return isinstance(value, str) and not _is_sentinel(value)


_SENTINELS = frozenset(
    getattr(proxy, name)
    for name in dir(proxy)
    if name.startswith("UNKNOWN_") and name.endswith("_VALUE")
)


def _is_sentinel(value: Any) -> bool:
    return value in _SENTINELS


def _mapped(value: Any, table: Mapping[str, str]) -> Any:
    """An annotation's value in v2's spelling; anything else as written (the rule judges it)."""
    return table.get(value, value) if _text(value) else value


def _count(value: Any) -> Any:
    """A scaling annotation ("10") as v2's number; anything else as written."""
    if _text(value) and value.strip().isdigit():
        return int(value)
    return value


def _json(value: Any) -> Any:
    if not _text(value):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


@dataclass
class V2View:
    """A v1 service as a stack rule sees a v2 one: v2's type, its properties in v2's shape, its
    own URN, dependencies and parent (so that findings and links stay the v1 resource's)."""

    resource_type: str
    props: Any
    urn: str
    dependencies: list[Any]
    parent: Any
    name: str = ""


def v2_views(resources: Sequence[Any]) -> tuple[list[Any], frozenset[str]]:
    """The stack's resources with each v1 service as its V2View, and the URNs of those."""
    viewed: list[Any] = []
    v1: set[str] = set()
    for resource in resources:
        if resource.resource_type != SERVICE_V1:
            viewed.append(resource)
            continue
        v1.add(resource.urn)
        viewed.append(
            V2View(
                SERVICE_V2,
                as_v2(resource.props),
                resource.urn,
                list(getattr(resource, "dependencies", None) or []),
                getattr(resource, "parent", None),
                getattr(resource, "name", ""),
            )
        )
    return viewed, frozenset(v1)

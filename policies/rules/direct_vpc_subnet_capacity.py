"""direct-vpc-subnet-capacity: the Direct VPC subnet holds every instance that egresses through it.

Cloud Run holds about 2 addresses per instance (more while a revision rolls over) and reserves
them 16 at a time; when the subnet runs out, new instances do not start: the start-up storm of the
incident, moved from the connector to the subnet.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from pulumi_policy import Severity

from conduit.core import capacity, facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import (
    DEFAULT_MAX_INSTANCES,
    JOB,
    JOB_VPC,
    SERVICE,
    SERVICE_VPC,
    job_parallelism,
    max_instances_at,
)
from policies.guard.cloudrun_v1 import MAX_SCALE, SERVICE_V1
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import subnet_linker, subnet_of
from policies.guard.props import at, known

SUBNET = "gcp:compute/subnetwork:Subnetwork"
REMEDIATION = (
    "Widen the subnet's ipCidrRange to the prefix named, or lower the services' maxInstances "
    "or the jobs' parallelism."
)


def _instances(resource: StackResource) -> tuple[int | None, str, str]:
    """(instances it can run at once, how to name them, the property that sets it)."""
    if resource.resource_type == JOB:
        return job_parallelism(resource.props), "tasks", "template.parallelism"
    count, path = max_instances_at(resource.props)
    if count is None:
        count = DEFAULT_MAX_INSTANCES  # Cloud Run's, when neither block sets one
    return (count if known(count) else None), "", path


def check(resources: Sequence[StackResource], config: Config) -> Iterator[Violation]:
    subnets = of_type(resources, SUBNET)
    linker = subnet_linker(subnets)
    users: dict[str, list[StackResource]] = {}
    for resource in of_type(resources, SERVICE, JOB):
        path = JOB_VPC if resource.resource_type == JOB else SERVICE_VPC
        subnet = subnet_of(resource, linker, path)
        if subnet is not None:
            users.setdefault(subnet.urn, []).append(resource)
    for subnet in subnets:
        cidr = at(subnet.props, "ipCidrRange", str)
        # By name: the engine's resource order varies between runs, a message must not.
        named = sorted(users.get(subnet.urn, []), key=lambda r: str(at(r.props, "name", str)))
        counted = [(r, *_instances(r)) for r in named]
        if not counted or not known(cidr) or any(n is None for _, n, _, _ in counted):
            continue
        prefix = ipaddress.IPv4Network(cidr, strict=False).prefixlen
        usable = capacity.usable_subnet_addresses(prefix)
        demand = capacity.DirectVpcDemand(
            sum(n for _, n, _, _ in counted),  # type: ignore[misc]  # no None: skipped above
            config["rolloverMarginPercent"],
        )
        if demand.addresses <= usable:
            continue
        names = ", ".join(
            f"{at(r.props, 'name', str, default='?')} {n}{' ' + unit if unit else ''}"
            for r, n, unit, _ in counted
        )
        yield Violation(
            f"subnet {cidr} has {usable} usable addresses; Direct VPC egress needs "
            f"{demand.addresses}: 2 x {demand.instances} instances ({names}) = {demand.steady}, "
            f"+ {demand.margin} for revision roll-over ({demand.margin_percent} %), "
            f"+ {facts.DIRECT_VPC_RESERVATION_BLOCK} for the next reservation block; the "
            f"smallest subnet that fits is a /{capacity.smallest_subnet_prefix(demand.addresses)}.",
            ("ipCidrRange",),
            observed=usable,
            required=demand.addresses,
            urn=subnet.urn,
            related=tuple((r.urn, path) for r, _, _, path in counted),
        )


POLICY = stack_policy(
    name="direct-vpc-subnet-capacity",
    description=(
        "A Direct VPC subnet has addresses for 2 x the instances and tasks on it, a roll-over "
        "margin and a 16-address reservation block."
    ),
    check=check,
    inspects=("gcp:compute/subnetwork:Subnetwork", JOB),
    severity=Severity.CRITICAL,
    remediation=REMEDIATION,
    defaults={"rolloverMarginPercent": 50},
    schema={"rolloverMarginPercent": {"type": "integer", "minimum": 0, "maximum": 1000}},
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _stack(cidr: object, service_max: object, parallelism: object = 10) -> list[Res]:
    """A subnet, the backend on it at `service_max` instances, the probe job at `parallelism`."""
    service = changed(samples.direct_service(), "template.scaling.maxInstanceCount", service_max)
    job = changed(samples.job(), "template.parallelism", parallelism)
    return [
        Res(SUBNET, changed(samples.subnet(), "ipCidrRange", cidr)),
        Res(SERVICE, service),
        Res(JOB, job),
    ]


def _stack_v1(service_max: str) -> list[Res]:
    """`_stack` with the backend as a Cloud Run v1 service (its network-interfaces annotation)."""
    subnet, _, job = _stack("10.9.0.0/25", 0)
    service = samples.v1_annotation(samples.direct_service_v1(), MAX_SCALE, service_max)
    return [subnet, Res(SERVICE_V1, service), job]


def _other(name: str, cidr: str, users: int) -> list[Res]:
    """Another subnet named `name` and `users` services of 10 instances on it."""
    interfaces = [{"subnetwork": f"projects/p/regions/r/subnetworks/{name}"}]
    service = changed(samples.direct_service(), "template.vpcAccess.networkInterfaces", interfaces)
    return [Res(SUBNET, {**changed(samples.subnet(), "ipCidrRange", cidr), "name": name})] + [
        Res(SERVICE, {**service, "name": f"{name}-user"}) for _ in range(users)
    ]


_SMALL_AUTH = changed(samples.direct_service(), "template.scaling.maxInstanceCount", 5)
_RELATED = (
    (urn(SERVICE, "backend"), "template.scaling.maxInstanceCount"),
    (urn(JOB, "backend-probe"), "template.parallelism"),
)
# pragma: no mutate end

EXAMPLES = Examples(
    good=[
        _stack("10.9.0.0/24", 10),
        # At the limit: 36 instances need 72 + 36 + 16 = 124, a /25's usable addresses.
        _stack("10.9.0.0/25", 26),
        # The same limit for a Cloud Run v1 service: its maxScale annotation.
        _stack_v1("26"),
        # A /26 holds 14: 28 + 14 + 16 = 58 of 60.
        _stack("10.9.0.0/26", 4),
        # Unknown at preview: not judged.
        _stack(samples.UNKNOWN, 200),
        _stack("10.9.0.0/26", samples.UNKNOWN),
        # A job with parallelism 0 runs all its tasks at once: 10 here.
        _stack("10.9.0.0/26", 4, 0),
        # On the connector, a service takes no address from the subnet.
        [
            Res(SUBNET, changed(samples.subnet(), "ipCidrRange", "10.9.0.0/26")),
            Res(SERVICE, changed(samples.service(), "template.scaling.maxInstanceCount", 100)),
        ],
    ],
    bad=[
        # One step past the limit: 37 instances need 127 of a /25's 124.
        Bad(
            _stack("10.9.0.0/25", 27),
            (
                Want(
                    "subnet 10.9.0.0/25 has 124 usable addresses; Direct VPC egress needs 127: "
                    "2 x 37 instances (backend 27, backend-probe 10 tasks) = 74, + 37 for "
                    "revision roll-over (50 %), + 16 for the next reservation block; the "
                    "smallest subnet that fits is a /24.",
                    ("ipCidrRange",),
                    124,
                    127,
                    urn=urn(SUBNET, "staging-run-egress"),
                    related=_RELATED,
                ),
            ),
        ),
        # A subnet no service uses (too small for even the reservation block) and one whose
        # service fits come first: the next is still judged.
        Bad(
            [
                *_other("spare", "10.9.1.0/28", 0),
                *_other("roomy", "10.9.2.0/24", 1),
                *_stack("10.9.0.0/25", 27),
            ],
            (
                Want(
                    "subnet 10.9.0.0/25 has 124 usable addresses; Direct VPC egress needs 127: "
                    "2 x 37 instances (backend 27, backend-probe 10 tasks) = 74, + 37 for "
                    "revision roll-over (50 %), + 16 for the next reservation block; the "
                    "smallest subnet that fits is a /24.",
                    ("ipCidrRange",),
                    124,
                    127,
                    urn=urn(SUBNET, "staging-run-egress"),
                    related=_RELATED,
                ),
            ),
        ),
        # A v1 service one step past: located where v1 writes its maxInstances.
        Bad(
            _stack_v1("27"),
            (
                Want(
                    "subnet 10.9.0.0/25 has 124 usable addresses; Direct VPC egress needs 127: "
                    "2 x 37 instances (backend 27, backend-probe 10 tasks) = 74, + 37 for "
                    "revision roll-over (50 %), + 16 for the next reservation block; the "
                    "smallest subnet that fits is a /24.",
                    ("ipCidrRange",),
                    124,
                    127,
                    urn=urn(SUBNET, "staging-run-egress"),
                    related=(
                        (
                            urn(SERVICE_V1, "backend"),
                            "template.metadata.annotations.autoscaling.knative.dev/maxScale",
                        ),
                        _RELATED[1],
                    ),
                ),
            ),
        ),
        # The staging system on a /26: 12 service instances and 10 probe tasks.
        Bad(
            _stack("10.9.0.0/26", 12),
            (
                Want(
                    "subnet 10.9.0.0/26 has 60 usable addresses; Direct VPC egress needs 82: "
                    "2 x 22 instances (backend 12, backend-probe 10 tasks) = 44, + 22 for "
                    "revision roll-over (50 %), + 16 for the next reservation block; the "
                    "smallest subnet that fits is a /25.",
                    ("ipCidrRange",),
                    60,
                    82,
                    urn=urn(SUBNET, "staging-run-egress"),
                    related=_RELATED,
                ),
            ),
        ),
        # The service-level scaling block when the template has none; a host address in the
        # range is read as its network, as Google does.
        Bad(
            [
                Res(SUBNET, changed(samples.subnet(), "ipCidrRange", "10.9.0.5/26")),
                Res(
                    SERVICE,
                    changed(
                        changed(samples.direct_service(), "template.scaling", None),
                        "scaling",
                        {"maxInstanceCount": 20},
                    ),
                ),
            ],
            (
                Want(
                    "subnet 10.9.0.5/26 has 60 usable addresses; Direct VPC egress needs 76: "
                    "2 x 20 instances (backend 20) = 40, + 20 for revision roll-over (50 %), "
                    "+ 16 for the next reservation block; the smallest subnet that fits is a /25.",
                    ("ipCidrRange",),
                    60,
                    76,
                    urn=urn(SUBNET, "staging-run-egress"),
                    related=((urn(SERVICE, "backend"), "scaling.maxInstanceCount"),),
                ),
            ),
        ),
        # Named in order whatever the engine's order; a subnet nobody uses comes first and the
        # next one is still judged.
        Bad(
            [
                Res(SUBNET, {**samples.subnet(), "name": "unused"}),
                Res(SUBNET, changed(samples.subnet(), "ipCidrRange", "10.9.0.0/26")),
                Res(JOB, samples.job()),
                Res(SERVICE, samples.direct_service()),
                Res(SERVICE, {**_SMALL_AUTH, "name": "auth"}),
            ],
            (
                Want(
                    "subnet 10.9.0.0/26 has 60 usable addresses; Direct VPC egress needs 91: "
                    "2 x 25 instances (auth 5, backend 10, backend-probe 10 tasks) = 50, + 25 for "
                    "revision roll-over (50 %), + 16 for the next reservation block; the smallest "
                    "subnet that fits is a /25.",
                    ("ipCidrRange",),
                    60,
                    91,
                    urn=urn(SUBNET, "staging-run-egress"),
                    related=(
                        (urn(SERVICE, "auth"), "template.scaling.maxInstanceCount"),
                        *_RELATED,
                    ),
                ),
            ),
        ),
        # No maxInstances: Cloud Run's default of 100; no margin configured.
        Bad(
            [
                Res(SUBNET, changed(samples.subnet(), "ipCidrRange", "10.9.0.0/25")),
                Res(SERVICE, changed(samples.direct_service(), "template.scaling", None)),
            ],
            (
                Want(
                    "subnet 10.9.0.0/25 has 124 usable addresses; Direct VPC egress needs 216: "
                    "2 x 100 instances (backend 100) = 200, + 0 for revision roll-over (0 %), "
                    "+ 16 for the next reservation block; the smallest subnet that fits is a /24.",
                    ("ipCidrRange",),
                    124,
                    216,
                    urn=urn(SUBNET, "staging-run-egress"),
                    related=((urn(SERVICE, "backend"), "template.scaling.maxInstanceCount"),),
                ),
            ),
            {"rolloverMarginPercent": 0},
        ),
    ],
)

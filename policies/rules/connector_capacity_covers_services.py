"""connector-capacity-covers-services: the connector at full size carries its services' peak."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import Severity

from conduit.core import capacity, facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE, max_instances_or_default
from policies.guard.cloudrun_v1 import MAX_SCALE, SERVICE_V1
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import connector_linker, connector_of
from policies.guard.props import at, known

CONNECTOR = "gcp:vpcaccess/connector:Connector"
REMEDIATION = (
    "Raise the connector's maxInstances or machineType (e2-standard-4 carries 1600 Mbps per "
    "instance), or lower the services' maxInstances."
)


def check(resources: Sequence[StackResource], config: Config) -> Iterator[Violation]:
    connectors = of_type(resources, CONNECTOR)
    linker = connector_linker(connectors)
    demand: dict[str, list[tuple[str, int, str]]] = {}
    """Connector URN -> (service name, its Mbps at max scale, its URN) of each service on it."""
    for service in of_type(resources, SERVICE):
        connector = connector_of(service, linker)
        count = max_instances_or_default(service.props)
        if connector is None or count is None:
            continue
        mbps = count * config["serviceInstanceMbps"]
        demand.setdefault(connector.urn, []).append(
            (at(service.props, "name", str), mbps, service.urn)
        )
    for connector in connectors:
        if connector.urn not in demand:
            continue
        machine = at(connector.props, "machineType", str, default="e2-micro")
        high = at(connector.props, "maxInstances", int, default=10)
        if not (known(machine) and known(high)) or machine not in facts.CONNECTOR_MACHINE_MBPS:
            continue
        supply = capacity.connector_capacity_mbps(machine, high)
        needed = sum(mbps for _, mbps, _ in demand[connector.urn])
        if needed > supply:
            users = ", ".join(f"{name} {mbps} Mbps" for name, mbps, _ in demand[connector.urn])
            yield Violation(
                f"connector carries {supply} Mbps at most ({high} x {machine}) but its services "
                f"need {needed} Mbps at max scale ({users}; "
                f"{config['serviceInstanceMbps']} Mbps per instance).",
                ("maxInstances", "machineType"),
                observed=supply,
                required=needed,
                urn=connector.urn,
                related=tuple(
                    (urn, "template.scaling.maxInstanceCount")
                    for _, _, urn in demand[connector.urn]
                ),
            )


POLICY = stack_policy(
    name="connector-capacity-covers-services",
    description="A connector's maximum throughput covers the services that egress through it.",
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
    defaults={"serviceInstanceMbps": 100},
    schema={"serviceInstanceMbps": {"type": "integer", "minimum": 1}},
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _stack(machine: object, high: object, service_max: int) -> list[Res]:
    # None leaves the property out: the provider's default applies.
    connector = changed(changed(samples.connector(), "machineType", machine), "maxInstances", high)
    service = changed(samples.service(), "template.scaling.maxInstanceCount", service_max)
    return [Res(CONNECTOR, connector), Res(SERVICE, service)]


def _two(auth_max: int) -> list[Res]:
    """3 x e2-micro (300 Mbps) for backend at 2 instances and auth at `auth_max`."""
    connector, backend = _stack("e2-micro", 3, 2)
    auth = changed(backend.props, "template.scaling.maxInstanceCount", auth_max)
    return [connector, backend, Res(SERVICE, {**auth, "name": "auth"})]


def _v1(max_scale: str | None) -> Res:
    """The v1 sample service at `max_scale` (None: no maxScale annotation)."""
    return Res(SERVICE_V1, samples.v1_annotation(samples.service_v1(), MAX_SCALE, max_scale))


def _other(name: str, machine: object, high: object, users: int = 1) -> list[Res]:
    """Another connector named `name` and `users` services of 20 instances on it."""
    connector = {**changed(samples.connector(), "machineType", machine), "name": name}
    connector = changed(connector, "maxInstances", high)
    service = changed(samples.service(), "template.scaling.maxInstanceCount", 20)
    service = changed(service, "template.vpcAccess.connector", f"projects/p/connectors/{name}")
    return [Res(CONNECTOR, connector)] + [
        Res(SERVICE, {**service, "name": f"{name}-user"}) for _ in range(users)
    ]


_V1_AT = "template.metadata.annotations.autoscaling.knative.dev/maxScale"
"""Where a v1 service writes its maxInstances."""


# pragma: no mutate end

EXAMPLES = Examples(
    good=[
        _stack("e2-standard-4", 10, 10),
        _stack("e2-micro", 10, 10),
        _two(1),
        # A Cloud Run v1 service on the connector (its vpc-access-connector annotation), at the
        # limit: 3 instances x 100 of 3 x e2-micro.
        [_stack("e2-micro", 3, 3)[0], _v1("3")],
        # Defaults: e2-micro and 10 instances carry exactly 10 services' instances.
        _stack(None, None, 10),
        # Unknown at preview: not judged.
        _stack("e2-micro", samples.UNKNOWN, 20),
        _stack(samples.UNKNOWN, 3, 20),
        # A service without a connector is not the connector's.
        [
            *_stack("e2-micro", 3, 3),
            Res(SERVICE, changed(samples.service(), "template.vpcAccess", None)),
        ],
    ],
    bad=[
        # No maxInstanceCount: the service scales to Cloud Run's default of 100.
        Bad(
            [
                _stack("e2-micro", 3, 3)[0],
                Res(SERVICE, changed(samples.service(), "template.scaling", None)),
            ],
            (
                Want(
                    "connector carries 300 Mbps at most (3 x e2-micro) but its services need "
                    "10000 Mbps at max scale (backend 10000 Mbps; 100 Mbps per instance).",
                    ("maxInstances", "machineType"),
                    300,
                    10000,
                    urn=urn(CONNECTOR, "staging-connector"),
                    related=((urn(SERVICE, "backend"), "template.scaling.maxInstanceCount"),),
                ),
            ),
        ),
        # The v1 service one step past, and with no maxScale (Cloud Run's default of 100).
        *(
            Bad(
                [_stack("e2-micro", 3, 3)[0], _v1(scale)],
                (
                    Want(
                        "connector carries 300 Mbps at most (3 x e2-micro) but its services need "
                        f"{mbps} Mbps at max scale (backend {mbps} Mbps; 100 Mbps per instance).",
                        ("maxInstances", "machineType"),
                        300,
                        mbps,
                        urn=urn(CONNECTOR, "staging-connector"),
                        related=((urn(SERVICE_V1, "backend"), _V1_AT),),
                    ),
                ),
            )
            for scale, mbps in (("4", 400), (None, 10000))
        ),
        # The provider's defaults: 10 x e2-micro for 11 instances.
        Bad(
            _stack(None, None, 11),
            (
                Want(
                    (
                        "connector carries 1000 Mbps at most (10 x e2-micro) but its services "
                        "need 1100 Mbps at max scale (backend 1100 Mbps; 100 Mbps per "
                        "instance)."
                    ),
                    ("maxInstances", "machineType"),
                    1000,
                    1100,
                    urn=urn(CONNECTOR, "staging-connector"),
                    related=((urn(SERVICE, "backend"), "template.scaling.maxInstanceCount"),),
                ),
            ),
        ),
        # A service that is not the connector's comes first, and so do a service whose scale
        # is unknown at preview, a connector no service uses, and connectors whose size is
        # unknown or whose machine type has no known throughput: the next one still counts.
        Bad(
            [
                *_other("spare", "e2-micro", 3, users=0),
                *_other("pending", "e2-micro", samples.UNKNOWN),
                *_other("odd", "n1-standard-1", 3),
                _stack("e2-micro", 3, 4)[0],
                Res(
                    SERVICE, {**changed(samples.service(), "template.vpcAccess", None), "name": "x"}
                ),
                Res(
                    SERVICE,
                    {
                        **changed(
                            samples.service(), "template.scaling.maxInstanceCount", samples.UNKNOWN
                        ),
                        "name": "y",
                    },
                ),
                _stack("e2-micro", 3, 4)[1],
            ],
            (
                Want(
                    (
                        "connector carries 300 Mbps at most (3 x e2-micro) but its services "
                        "need 400 Mbps at max scale (backend 400 Mbps; 100 Mbps per instance)."
                    ),
                    ("maxInstances", "machineType"),
                    300,
                    400,
                    urn=urn(CONNECTOR, "staging-connector"),
                    related=((urn(SERVICE, "backend"), "template.scaling.maxInstanceCount"),),
                ),
            ),
        ),
        # Each service fits alone (200 of 300 Mbps); together they do not.
        Bad(
            _two(2),
            (
                Want(
                    (
                        "connector carries 300 Mbps at most (3 x e2-micro) but its services "
                        "need 400 Mbps at max scale (backend 200 Mbps, auth 200 Mbps; 100 Mbps "
                        "per instance)."
                    ),
                    ("maxInstances", "machineType"),
                    300,
                    400,
                    urn=urn(CONNECTOR, "staging-connector"),
                    related=(
                        (urn(SERVICE, "backend"), "template.scaling.maxInstanceCount"),
                        (urn(SERVICE, "auth"), "template.scaling.maxInstanceCount"),
                    ),
                ),
            ),
        ),
        Bad(
            _stack("e2-micro", 3, 10),
            (
                Want(
                    (
                        "connector carries 300 Mbps at most (3 x e2-micro) but its services "
                        "need 1000 Mbps at max scale (backend 1000 Mbps; 100 Mbps per "
                        "instance)."
                    ),
                    ("maxInstances", "machineType"),
                    300,
                    1000,
                    urn=urn(CONNECTOR, "staging-connector"),
                    related=(
                        (
                            urn(SERVICE, "backend"),
                            "template.scaling.maxInstanceCount",
                        ),
                    ),
                ),
            ),
        ),
        Bad(
            _stack("e2-standard-4", 3, 10),
            (
                Want(
                    (
                        "connector carries 4800 Mbps at most (3 x e2-standard-4) but its services "
                        "need 20000 Mbps at max scale (backend 20000 Mbps; 2000 Mbps per "
                        "instance)."
                    ),
                    ("maxInstances", "machineType"),
                    4800,
                    20000,
                    urn=urn(CONNECTOR, "staging-connector"),
                    related=(
                        (
                            urn(SERVICE, "backend"),
                            "template.scaling.maxInstanceCount",
                        ),
                    ),
                ),
            ),
            {"serviceInstanceMbps": 2000},
        ),
    ],
)

"""connector-warm-capacity: enough warm instances of a strong enough machine before the burst."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = "gcp:vpcaccess/connector:Connector"
API_DEFAULT_MIN_INSTANCES = 2
API_DEFAULT_MACHINE = "e2-micro"
REMEDIATION = (
    "Raise minInstances to the floor (connectors scale out in 10-30 s and never scale in, so "
    "capacity must be warm before a start-up burst) and use e2-standard-4."
)


def check(props: Any, config: Config) -> Iterator[Violation]:
    floor = config["minInstancesFloor"]
    low = at(props, "minInstances", int)
    if low is None:
        throughput = at(props, "minThroughput", int)
        low = throughput // 100 if known(throughput) else API_DEFAULT_MIN_INSTANCES
    if known(low) and low < floor:
        yield Violation(
            f"minInstances {low} is below the warm floor of {floor}.",
            ("minInstances",),
            low,
            f">= {floor}",
        )
    machine = at(props, "machineType", str, default=API_DEFAULT_MACHINE)
    if known(machine) and machine in config["deniedMachineTypes"]:
        yield Violation(
            f"machineType {machine} is denied: it exhausts CPU credits and conntrack memory "
            "under packet bursts.",
            ("machineType",),
            machine,
            "e2-standard-4",
        )


POLICY = resource_policy(
    name="connector-warm-capacity",
    description="A connector keeps warm capacity: minInstances at the floor, no denied machine.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
    defaults={"minInstancesFloor": 3, "deniedMachineTypes": ["f1-micro"]},
    schema={
        "minInstancesFloor": {"type": "integer", "minimum": 2, "maximum": 9},
        "deniedMachineTypes": {"type": "array", "items": {"type": "string"}},
    },
)

_BY_THROUGHPUT = changed(changed(samples.connector(), "minInstances", None), "minThroughput", 300)

EXAMPLES = Examples(
    good=[
        samples.connector(),
        changed(samples.connector(), "machineType", "e2-micro"),
        # minThroughput 300 Mbps is 3 instances: exactly the floor.
        _BY_THROUGHPUT,
        # minInstances unknown at preview: not judged.
        changed(samples.connector(), "minInstances", samples.UNKNOWN),
    ],
    bad=[
        Bad(
            changed(_BY_THROUGHPUT, "minThroughput", 299),
            (
                Want(
                    ("minInstances 2 is below the warm floor of 3."),
                    ("minInstances",),
                    2,
                    ">= 3",
                ),
            ),
        ),
        # No machineType: the API's default (e2-micro) is judged; no minInstances: its 2.
        Bad(
            changed(changed(samples.connector(), "machineType", None), "minInstances", None),
            (
                Want(
                    "minInstances 2 is below the warm floor of 3.",
                    ("minInstances",),
                    2,
                    ">= 3",
                ),
                Want(
                    (
                        "machineType e2-micro is denied: it exhausts CPU credits and conntrack "
                        "memory under packet bursts."
                    ),
                    ("machineType",),
                    "e2-micro",
                    "e2-standard-4",
                ),
            ),
            {"deniedMachineTypes": ["e2-micro"]},
        ),
        Bad(
            changed(samples.connector(), "minInstances", 2),
            (
                Want(
                    "minInstances 2 is below the warm floor of 3.",
                    ("minInstances",),
                    2,
                    ">= 3",
                ),
            ),
        ),
        Bad(
            changed(samples.connector(), "minInstances", None),
            (
                Want(
                    "minInstances 2 is below the warm floor of 3.",
                    ("minInstances",),
                    2,
                    ">= 3",
                ),
            ),
        ),
        Bad(
            changed(samples.connector(), "machineType", "f1-micro"),
            (
                Want(
                    (
                        "machineType f1-micro is denied: it exhausts CPU credits and conntrack "
                        "memory under packet bursts."
                    ),
                    ("machineType",),
                    "f1-micro",
                    "e2-standard-4",
                ),
            ),
        ),
        Bad(
            samples.connector(),
            (
                Want(
                    "minInstances 3 is below the warm floor of 5.",
                    ("minInstances",),
                    3,
                    ">= 5",
                ),
            ),
            {"minInstancesFloor": 5},
        ),
    ],
)

"""connector-instance-bounds: instance counts and machine type within what the API accepts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = "gcp:vpcaccess/connector:Connector"
REMEDIATION = (
    "Use 2 <= minInstances < maxInstances <= 10, a machineType of f1-micro, e2-micro or "
    "e2-standard-4, and instance counts instead of throughput."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    low = at(props, "minInstances", int)
    high = at(props, "maxInstances", int)
    machine = at(props, "machineType", str)
    if known(machine) and machine not in facts.CONNECTOR_MACHINE_TYPES:
        allowed = ", ".join(facts.CONNECTOR_MACHINE_TYPES)
        yield Violation(
            f"machineType {machine!r} is not one of {allowed}.",
            ("machineType",),
            machine,
            list(facts.CONNECTOR_MACHINE_TYPES),
        )
    lo_min, lo_max = facts.CONNECTOR_MIN_INSTANCES
    hi_min, hi_max = facts.CONNECTOR_MAX_INSTANCES
    if known(low) and not lo_min <= low <= lo_max:
        yield Violation(
            f"minInstances {low} is outside {lo_min}-{lo_max}.",
            ("minInstances",),
            low,
            f"{lo_min}-{lo_max}",
        )
    if known(high) and not hi_min <= high <= hi_max:
        yield Violation(
            f"maxInstances {high} is outside {hi_min}-{hi_max}.",
            ("maxInstances",),
            high,
            f"{hi_min}-{hi_max}",
        )
    if known(low) and known(high) and low >= high:
        yield Violation(
            f"minInstances {low} must be less than maxInstances {high}.",
            ("minInstances", "maxInstances"),
            low,
            f"< {high}",
        )
    mixed = [
        (t, i)
        for t, i in (("minThroughput", "minInstances"), ("maxThroughput", "maxInstances"))
        if at(props, t, int) is not None and at(props, i, int) is not None
    ]
    if mixed:
        shown = ", ".join(f"{t} with {i}" for t, i in mixed)
        yield Violation(
            f"throughput mixed with instance fields ({shown}).", tuple(t for t, _ in mixed)
        )


POLICY = resource_policy(
    name="connector-instance-bounds",
    description="Connector instances must be 2 <= min < max <= 10 on a supported machine type.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

_AT_LIMITS = [
    changed(changed(samples.connector(), "minInstances", 2), "maxInstances", 3),
    changed(changed(samples.connector(), "minInstances", 9), "maxInstances", 10),
]

EXAMPLES = Examples(
    good=[
        samples.connector(),
        changed(samples.connector(), "machineType", None),
        *_AT_LIMITS,
        # Bounds unknown at preview: not compared.
        changed(samples.connector(), "minInstances", samples.UNKNOWN),
        changed(samples.connector(), "maxInstances", samples.UNKNOWN),
        # Sized by throughput alone: nothing mixed.
        {
            **changed(changed(samples.connector(), "minInstances", None), "maxInstances", None),
            "minThroughput": 200,
            "maxThroughput": 1000,
        },
    ],
    bad=[
        Bad(
            changed(_AT_LIMITS[0], "maxInstances", 2),
            (
                Want(
                    ("maxInstances 2 is outside 3-10."),
                    ("maxInstances",),
                    2,
                    "3-10",
                ),
                Want(
                    ("minInstances 2 must be less than maxInstances 2."),
                    ("minInstances", "maxInstances"),
                    2,
                    "< 2",
                ),
            ),
        ),
        Bad(
            changed(samples.connector(), "maxThroughput", 1000),
            (
                Want(
                    ("throughput mixed with instance fields (maxThroughput with maxInstances)."),
                    ("maxThroughput",),
                ),
            ),
        ),
        Bad(
            changed(samples.connector(), "minInstances", 1),
            (
                Want(
                    "minInstances 1 is outside 2-9.",
                    ("minInstances",),
                    1,
                    "2-9",
                ),
            ),
        ),
        Bad(
            changed(samples.connector(), "maxInstances", 12),
            (
                Want(
                    "maxInstances 12 is outside 3-10.",
                    ("maxInstances",),
                    12,
                    "3-10",
                ),
            ),
        ),
        Bad(
            changed(samples.connector(), "minInstances", 10),
            (
                Want(
                    "minInstances 10 is outside 2-9.",
                    ("minInstances",),
                    10,
                    "2-9",
                ),
                Want(
                    "minInstances 10 must be less than maxInstances 10.",
                    ("minInstances", "maxInstances"),
                    10,
                    "< 10",
                ),
            ),
        ),
        Bad(
            changed(samples.connector(), "machineType", "n2-standard-2"),
            (
                Want(
                    "machineType 'n2-standard-2' is not one of f1-micro, e2-micro, e2-standard-4.",
                    ("machineType",),
                    "n2-standard-2",
                    ["f1-micro", "e2-micro", "e2-standard-4"],
                ),
            ),
        ),
        Bad(
            changed(samples.connector(), "minThroughput", 300),
            (
                Want(
                    "throughput mixed with instance fields (minThroughput with minInstances).",
                    ("minThroughput",),
                ),
            ),
        ),
        Bad(
            changed(samples.connector(), "minInstances", "3"),
            (
                Want(
                    "malformed properties: minInstances should be a whole number, got '3'.",
                    (),
                ),
            ),
        ),
    ],
)

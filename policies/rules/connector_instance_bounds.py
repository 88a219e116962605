"""connector-instance-bounds: instance counts and machine type within what the API accepts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, changed
from policies.guard.props import at, known

RESOURCE_TYPE = "gcp:vpcaccess/connector:Connector"
REMEDIATION = (
    "Use 2 <= minInstances < maxInstances <= 10, a machineType of f1-micro, e2-micro or "
    "e2-standard-4, and instance counts instead of throughput."
)


def check(props: Any, _config: Config) -> Iterator[str]:
    low = at(props, "minInstances", int)
    high = at(props, "maxInstances", int)
    machine = at(props, "machineType", str)
    if known(machine) and machine not in facts.CONNECTOR_MACHINE_TYPES:
        allowed = ", ".join(facts.CONNECTOR_MACHINE_TYPES)
        yield f"machineType {machine!r} is not one of {allowed}. {REMEDIATION}"
    lo_min, lo_max = facts.CONNECTOR_MIN_INSTANCES
    hi_min, hi_max = facts.CONNECTOR_MAX_INSTANCES
    if known(low) and not lo_min <= low <= lo_max:
        yield f"minInstances {low} is outside {lo_min}-{lo_max}. {REMEDIATION}"
    if known(high) and not hi_min <= high <= hi_max:
        yield f"maxInstances {high} is outside {hi_min}-{hi_max}. {REMEDIATION}"
    if known(low) and known(high) and low >= high:
        yield f"minInstances {low} must be less than maxInstances {high}. {REMEDIATION}"
    mixed = [
        f"{t} with {i}"
        for t, i in (("minThroughput", "minInstances"), ("maxThroughput", "maxInstances"))
        if at(props, t, int) is not None and at(props, i, int) is not None
    ]
    if mixed:
        yield f"throughput mixed with instance fields ({', '.join(mixed)}). {REMEDIATION}"


POLICY = resource_policy(
    name="connector-instance-bounds",
    description="Connector instances must be 2 <= min < max <= 10 on a supported machine type.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

EXAMPLES = Examples(
    good=[samples.connector(), changed(samples.connector(), "machineType", None)],
    bad=[
        Bad(changed(samples.connector(), "minInstances", 1), ("minInstances 1 is outside",)),
        Bad(changed(samples.connector(), "maxInstances", 12), ("maxInstances 12 is outside",)),
        Bad(changed(samples.connector(), "minInstances", 10), ("outside 2-9", "less than")),
        Bad(changed(samples.connector(), "machineType", "n2-standard-2"), ("'n2-standard-2'",)),
        Bad(changed(samples.connector(), "minThroughput", 300), ("minThroughput with",)),
        Bad(changed(samples.connector(), "minInstances", "3"), ("should be a whole number",)),
    ],
)

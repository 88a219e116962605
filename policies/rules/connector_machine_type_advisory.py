"""connector-machine-type-advisory: e2-micro works but is weak under start-up bursts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = "gcp:vpcaccess/connector:Connector"
REMEDIATION = "Use e2-standard-4 for services that start many instances at once."


def check(props: Any, config: Config) -> Iterator[Violation]:
    machine = at(props, "machineType", str, default="e2-micro")
    if known(machine) and machine in config["advisedMachineTypes"]:
        yield Violation(
            f"machineType {machine} has shared CPU: high packet rates can time out before the "
            "bandwidth limit.",
            ("machineType",),
            machine,
            facts.CONNECTOR_DEDICATED_MACHINE_TYPE,
        )


POLICY = resource_policy(
    name="connector-machine-type-advisory",
    description="A connector on a shared-core machine may time out under bursts.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.LOW,
    remediation=REMEDIATION,
    enforcement=EnforcementLevel.ADVISORY,
    defaults={"advisedMachineTypes": ["e2-micro"]},
    schema={"advisedMachineTypes": {"type": "array", "items": {"type": "string"}}},
)

_SHARED_CPU = Want(
    "machineType e2-micro has shared CPU: high packet rates can time out before the bandwidth "
    "limit.",
    ("machineType",),
    "e2-micro",
    "e2-standard-4",
)

EXAMPLES = Examples(
    good=[samples.connector()],
    bad=[
        Bad(
            changed(samples.connector(), "machineType", "e2-micro"),
            (_SHARED_CPU,),
        ),
        Bad(
            changed(samples.connector(), "machineType", None),
            (_SHARED_CPU,),
        ),
    ],
)

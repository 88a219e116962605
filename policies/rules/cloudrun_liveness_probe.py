"""cloudrun-liveness-probe: a liveness probe restarts instances that lose their database."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from policies.guard import samples
from policies.guard.cloudrun import SERVICE, containers
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, changed
from policies.guard.props import at, known

RESOURCE_TYPE = SERVICE
REMEDIATION = "Declare livenessProbe.httpGet.path with timeoutSeconds <= periodSeconds."


def check(props: Any, _config: Config) -> Iterator[str]:
    for index, container in enumerate(containers(props)):
        probe = at(container, "livenessProbe", Mapping)
        if probe is None:
            yield f"container {index} has no livenessProbe. {REMEDIATION}"
            continue
        if at(probe, "httpGet", Mapping) is None and at(probe, "grpc", Mapping) is None:
            yield f"container {index}'s livenessProbe is not HTTP or gRPC. {REMEDIATION}"
        timeout = at(probe, "timeoutSeconds", int, default=1)
        period = at(probe, "periodSeconds", int, default=10)
        if known(timeout) and known(period) and timeout > period:
            yield (
                f"container {index}'s livenessProbe timeoutSeconds {timeout} exceeds "
                f"periodSeconds {period}. {REMEDIATION}"
            )


POLICY = resource_policy(
    name="cloudrun-liveness-probe",
    description="Cloud Run services need an HTTP or gRPC liveness probe.",
    resource_types=(SERVICE,),
    check=check,
    severity=Severity.MEDIUM,
    remediation=REMEDIATION,
)

_PROBE = "template.containers.0.livenessProbe"
EXAMPLES = Examples(
    good=[samples.service()],
    bad=[
        Bad(changed(samples.service(), _PROBE, None), ("no livenessProbe",)),
        Bad(
            changed(samples.service(), f"{_PROBE}.timeoutSeconds", 31),
            ("31 exceeds periodSeconds 30",),
        ),
        Bad(
            changed(
                changed(samples.service(), f"{_PROBE}.httpGet", None), f"{_PROBE}.tcpSocket", {}
            ),
            ("not HTTP or gRPC",),
        ),
    ],
)

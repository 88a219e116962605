"""cloudrun-liveness-probe: a liveness probe restarts instances that lose their database."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE, containers
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Of, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = SERVICE
PROBE = "template.containers.livenessProbe"
REMEDIATION = "Declare livenessProbe.httpGet.path with timeoutSeconds <= periodSeconds."


def check(props: Any, _config: Config) -> Iterator[Violation]:
    for index, container in enumerate(containers(props)):
        probe = at(container, "livenessProbe", Mapping)
        if probe is None:
            yield Violation(f"container {index} has no livenessProbe.", (PROBE,))
            continue
        if at(probe, "httpGet", Mapping) is None and at(probe, "grpc", Mapping) is None:
            yield Violation(
                f"container {index}'s livenessProbe is not HTTP or gRPC.", (f"{PROBE}.httpGet",)
            )
        timeout = at(probe, "timeoutSeconds", int, default=1)
        period = at(probe, "periodSeconds", int, default=10)
        if known(timeout) and known(period) and timeout > period:
            yield Violation(
                f"container {index}'s livenessProbe timeoutSeconds {timeout} exceeds "
                f"periodSeconds {period}.",
                (f"{PROBE}.timeoutSeconds", f"{PROBE}.periodSeconds"),
                timeout,
                f"<= {period}",
            )


POLICY = resource_policy(
    name="cloudrun-liveness-probe",
    description="Cloud Run services need an HTTP or gRPC liveness probe.",
    resource_types=(SERVICE, SERVICE_V1),
    check=check,
    severity=Severity.MEDIUM,
    remediation=REMEDIATION,
)

_PROBE = "template.containers.0.livenessProbe"
_GRPC = changed(samples.service(), "template.containers.0.livenessProbe.httpGet", None)
_GRPC["template"]["containers"][0]["livenessProbe"]["grpc"] = {"port": 8081}
_TWO = changed(samples.service(), "template.containers.0.livenessProbe", None)
_TWO["template"]["containers"].append(
    changed(samples.service(), "template.containers.0.livenessProbe.timeoutSeconds", 31)[
        "template"
    ]["containers"][0]
)

_WANT_11 = Want(
    "container 0's livenessProbe timeoutSeconds 11 exceeds periodSeconds 10.",
    (
        "template.containers.livenessProbe.timeoutSeconds",
        "template.containers.livenessProbe.periodSeconds",
    ),
    11,
    "<= 10",
)

EXAMPLES = Examples(
    good=[
        samples.service(),
        _GRPC,
        # At the limit: timeout equal to the period.
        changed(samples.service(), f"{_PROBE}.timeoutSeconds", 30),
        # Cloud Run's defaults: timeout 1 s, period 10 s.
        changed(
            changed(samples.service(), f"{_PROBE}.timeoutSeconds", None),
            f"{_PROBE}.periodSeconds",
            1,
        ),
        changed(
            changed(samples.service(), f"{_PROBE}.periodSeconds", None),
            f"{_PROBE}.timeoutSeconds",
            10,
        ),
        Of(SERVICE_V1, samples.service_v1()),
        # A timeout or a period unknown at preview: not compared.
        changed(samples.service(), f"{_PROBE}.timeoutSeconds", samples.UNKNOWN),
        changed(samples.service(), f"{_PROBE}.periodSeconds", samples.UNKNOWN),
    ],
    bad=[
        # One past the default period of 10 s.
        Bad(
            changed(
                changed(samples.service(), f"{_PROBE}.periodSeconds", None),
                f"{_PROBE}.timeoutSeconds",
                11,
            ),
            (_WANT_11,),
        ),
        # Both containers are judged: the first has no probe, the second's timeout is too long.
        Bad(
            _TWO,
            (
                Want(
                    "container 0 has no livenessProbe.",
                    ("template.containers.livenessProbe",),
                ),
                Want(
                    "container 1's livenessProbe timeoutSeconds 31 exceeds periodSeconds 30.",
                    (
                        "template.containers.livenessProbe.timeoutSeconds",
                        "template.containers.livenessProbe.periodSeconds",
                    ),
                    31,
                    "<= 30",
                ),
            ),
        ),
        Bad(
            changed(samples.service(), _PROBE, None),
            (
                Want(
                    "container 0 has no livenessProbe.",
                    ("template.containers.livenessProbe",),
                ),
            ),
        ),
        Bad(
            changed(samples.service(), f"{_PROBE}.timeoutSeconds", 31),
            (
                Want(
                    "container 0's livenessProbe timeoutSeconds 31 exceeds periodSeconds 30.",
                    (
                        "template.containers.livenessProbe.timeoutSeconds",
                        "template.containers.livenessProbe.periodSeconds",
                    ),
                    31,
                    "<= 30",
                ),
            ),
        ),
        Bad(
            changed(
                changed(samples.service(), f"{_PROBE}.httpGet", None), f"{_PROBE}.tcpSocket", {}
            ),
            (
                Want(
                    "container 0's livenessProbe is not HTTP or gRPC.",
                    ("template.containers.livenessProbe.httpGet",),
                ),
            ),
        ),
        Bad(
            Of(
                SERVICE_V1,
                changed(samples.service_v1(), "template.spec.containers.0.livenessProbe", None),
            ),
            (
                Want(
                    "container 0 has no livenessProbe.", ("template.spec.containers.livenessProbe",)
                ),
            ),
        ),
    ],
)

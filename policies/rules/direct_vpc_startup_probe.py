"""direct-vpc-startup-probe: on Direct VPC egress, the start-up window also covers egress warm-up.

Google: instance start-up "might experience connection establishment delays of a minute or more"
with Direct VPC egress, and recommends an HTTP start-up probe that exercises the egress path with
a period and threshold that act as retries. So the window must cover the app's DB init timeout
and that warm-up. That the probe is HTTP or gRPC at all is cloudrun-startup-probe-http's rule, for
every service.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core import capacity, facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import (
    INIT_TIMEOUT_ENV,
    SERVICE,
    ingress_container,
    on_direct_vpc,
    startup_hint,
    startup_probe,
)
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Of, Want, changed
from policies.guard.props import UNKNOWN, env_int

RESOURCE_TYPE = SERVICE
PROBE = "template.containers.startupProbe"
_WINDOW = (f"{PROBE}.failureThreshold", f"template.containers.envs.{INIT_TIMEOUT_ENV}")
REMEDIATION = (
    "Raise startupProbe.failureThreshold (or initialDelaySeconds) until the window covers "
    f"{INIT_TIMEOUT_ENV} plus the egress warm-up and the margin, or use the connector."
)


def check(props: Any, config: Config) -> Iterator[Violation]:
    if not on_direct_vpc(props):
        return
    container = ingress_container(props)
    probe = startup_probe(container) if container is not None else None
    init = env_int(container, INIT_TIMEOUT_ENV) if container is not None else None
    if probe is None or init is UNKNOWN:
        return
    init = init or 0
    warm_up, margin = config["warmUpSeconds"], config["marginSeconds"]
    period, threshold = probe["periodSeconds"], probe["failureThreshold"]
    window = capacity.startup_window(probe["initialDelaySeconds"], period, threshold)
    needed = init + warm_up + margin
    if window >= needed:
        return
    yield Violation(
        f"start-up window {window} s (initialDelaySeconds {probe['initialDelaySeconds']} + "
        f"{threshold} x {period} s) is shorter than {INIT_TIMEOUT_ENV} {init} s + {warm_up} s "
        f"Direct VPC egress warm-up + {margin} s margin = {needed} s; "
        f"{startup_hint(needed, warm_up + margin, probe)}.",
        _WINDOW,
        window,
        f">= {needed}",
    )


POLICY = resource_policy(
    name="direct-vpc-startup-probe",
    description=(
        "On Direct VPC egress, a service's start-up window covers its DB init timeout and the "
        "egress warm-up Google documents."
    ),
    resource_types=(SERVICE, SERVICE_V1),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
    defaults={
        "warmUpSeconds": facts.DIRECT_VPC_EGRESS_WARMUP_SECONDS,
        "marginSeconds": 15,
    },
    schema={
        "warmUpSeconds": {"type": "integer", "minimum": 0},
        "marginSeconds": {"type": "integer", "minimum": 0},
    },
)

_PROBE = "template.containers.0.startupProbe"
EXAMPLES = Examples(
    good=[
        samples.direct_service(),
        # At the limit: 150 s covers 75 + 60 + 15 = 150 s.
        changed(samples.direct_service(), f"{_PROBE}.failureThreshold", 15),
        # No DB init timeout: the warm-up and the margin alone, 75 s in exactly 15 x 5 s.
        changed(
            changed(
                samples.env_value(samples.direct_service(), INIT_TIMEOUT_ENV, None),
                f"{_PROBE}.failureThreshold",
                15,
            ),
            f"{_PROBE}.periodSeconds",
            5,
        ),
        # No container to judge.
        changed(samples.direct_service(), "template.containers", []),
        # On the connector the warm-up does not apply.
        samples.service(),
        # Unknown at preview: not judged.
        changed(samples.direct_service(), f"{_PROBE}.failureThreshold", samples.UNKNOWN),
        Of(SERVICE_V1, samples.service_v1()),
        # A v1 service on Direct VPC (the network-interfaces annotation), at the limit.
        Of(
            SERVICE_V1,
            changed(
                samples.direct_service_v1(),
                "template.spec.containers.0.startupProbe.failureThreshold",
                15,
            ),
        ),
        # A DB init timeout unknown at preview: not judged.
        samples.env_value(samples.direct_service(), INIT_TIMEOUT_ENV, samples.UNKNOWN),
    ],
    bad=[
        # One step short: 140 s against 150 s.
        Bad(
            changed(samples.direct_service(), f"{_PROBE}.failureThreshold", 14),
            (
                Want(
                    "start-up window 140 s (initialDelaySeconds 0 + 14 x 10 s) is shorter than "
                    "DATABASE_INIT_TIMEOUT_SECONDS 75 s + 60 s Direct VPC egress warm-up + 15 s "
                    "margin = 150 s; e.g. failureThreshold 15 at periodSeconds 10.",
                    _WINDOW,
                    140,
                    ">= 150",
                ),
            ),
        ),
        # The connector's window (120 s), moved to Direct VPC unchanged.
        Bad(
            changed(samples.direct_service(), f"{_PROBE}.failureThreshold", 12),
            (
                Want(
                    "start-up window 120 s (initialDelaySeconds 0 + 12 x 10 s) is shorter than "
                    "DATABASE_INIT_TIMEOUT_SECONDS 75 s + 60 s Direct VPC egress warm-up + 15 s "
                    "margin = 150 s; e.g. failureThreshold 15 at periodSeconds 10.",
                    _WINDOW,
                    120,
                    ">= 150",
                ),
            ),
        ),
        # No probe declared: Cloud Run's default, one 240 s try, against a longer warm-up.
        Bad(
            changed(samples.direct_service(), _PROBE, None),
            (
                Want(
                    "start-up window 240 s (initialDelaySeconds 0 + 1 x 240 s) is shorter than "
                    "DATABASE_INIT_TIMEOUT_SECONDS 75 s + 180 s Direct VPC egress warm-up + 15 s "
                    "margin = 270 s; e.g. initialDelaySeconds 30 and failureThreshold 1 at "
                    "periodSeconds 240.",
                    _WINDOW,
                    240,
                    ">= 270",
                ),
            ),
            {"warmUpSeconds": 180},
        ),
        # A timeout too long for any window: lower it.
        Bad(
            samples.env_value(samples.direct_service(), INIT_TIMEOUT_ENV, "420"),
            (
                Want(
                    "start-up window 160 s (initialDelaySeconds 0 + 16 x 10 s) is shorter than "
                    "DATABASE_INIT_TIMEOUT_SECONDS 420 s + 60 s Direct VPC egress warm-up + 15 s "
                    "margin = 495 s; 495 s cannot fit in Cloud Run's longest start-up window "
                    "(480 s: initialDelaySeconds 240 + 240 s): lower "
                    "DATABASE_INIT_TIMEOUT_SECONDS to at most 405 s.",
                    _WINDOW,
                    160,
                    ">= 495",
                ),
            ),
        ),
        Bad(
            Of(
                SERVICE_V1,
                changed(
                    samples.direct_service_v1(),
                    "template.spec.containers.0.startupProbe.failureThreshold",
                    14,
                ),
            ),
            (
                Want(
                    "start-up window 140 s (initialDelaySeconds 0 + 14 x 10 s) is shorter than "
                    "DATABASE_INIT_TIMEOUT_SECONDS 75 s + 60 s Direct VPC egress warm-up + 15 s "
                    "margin = 150 s; e.g. failureThreshold 15 at periodSeconds 10.",
                    (
                        "template.spec.containers.startupProbe.failureThreshold",
                        "template.spec.containers.envs.DATABASE_INIT_TIMEOUT_SECONDS",
                    ),
                    140,
                    ">= 150",
                ),
            ),
        ),
    ],
)

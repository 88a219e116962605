"""cloudrun-startup-probe-covers-db-init: the start-up window outlasts the app's DB init timeout.

The incident: the app waited up to 75 s for its database while Cloud Run gave it 60 s, so every
start-up was killed before the app could either connect or fail cleanly.
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
    containers,
    startup_hint,
    startup_probe,
)
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Of, Want, changed
from policies.guard.props import env_int, known

RESOURCE_TYPE = SERVICE
PROBE = "template.containers.startupProbe"
_WINDOW = (f"{PROBE}.failureThreshold", f"template.containers.envs.{INIT_TIMEOUT_ENV}")
REMEDIATION = (
    "Make initialDelaySeconds + failureThreshold x periodSeconds exceed "
    f"{INIT_TIMEOUT_ENV} by the margin, keeping failureThreshold x periodSeconds <= "
    f"{facts.STARTUP_PROBE_WINDOW_MAX_SECONDS} and "
    "timeoutSeconds <= periodSeconds; or lower the app's timeout."
)


def check(props: Any, config: Config) -> Iterator[Violation]:
    margin = config["marginSeconds"]
    for index, container in enumerate(containers(props)):
        init = env_int(container, INIT_TIMEOUT_ENV)
        if not known(init):
            continue
        probe = startup_probe(container)
        if probe is None:
            continue
        period, threshold = probe["periodSeconds"], probe["failureThreshold"]
        where = f"container {index}"
        if period * threshold > facts.STARTUP_PROBE_WINDOW_MAX_SECONDS:
            yield Violation(
                f"{where}: failureThreshold x periodSeconds = {period * threshold} s exceeds "
                f"Cloud Run's {facts.STARTUP_PROBE_WINDOW_MAX_SECONDS} s cap.",
                (f"{PROBE}.failureThreshold", f"{PROBE}.periodSeconds"),
                period * threshold,
                f"<= {facts.STARTUP_PROBE_WINDOW_MAX_SECONDS}",
            )
        if probe["timeoutSeconds"] > period:
            yield Violation(
                f"{where}: timeoutSeconds {probe['timeoutSeconds']} exceeds periodSeconds "
                f"{period}.",
                (f"{PROBE}.timeoutSeconds",),
                probe["timeoutSeconds"],
                f"<= {period}",
            )
        window = capacity.startup_window(probe["initialDelaySeconds"], period, threshold)
        needed = init + margin
        if window >= needed:
            continue
        hint = startup_hint(needed, margin, probe)
        yield Violation(
            f"{where}: start-up window {window} s (initialDelaySeconds "
            f"{probe['initialDelaySeconds']} + {threshold} x {period} s) is shorter than "
            f"{INIT_TIMEOUT_ENV} {init} s + {margin} s margin = {needed} s; {hint}.",
            _WINDOW,
            window,
            f">= {needed}",
        )


POLICY = resource_policy(
    name="cloudrun-startup-probe-covers-db-init",
    description="The startup probe's window must outlast the app's database init timeout.",
    resource_types=(SERVICE, SERVICE_V1),
    check=check,
    severity=Severity.CRITICAL,
    remediation=REMEDIATION,
    defaults={"marginSeconds": 15},
    schema={"marginSeconds": {"type": "integer", "minimum": 0}},
)

PROBE_0 = "template.containers.0.startupProbe"
_CONTAINER = samples.service()["template"]["containers"][0]
_FOURTH_SHORT = changed(
    samples.service(),
    "template.containers",
    [
        {"image": "sidecar"},
        changed(_CONTAINER, "startupProbe.periodSeconds", samples.UNKNOWN),
        _CONTAINER,
        changed(_CONTAINER, "startupProbe.failureThreshold", 6),
    ],
)
"""Before the short container: one with no init timeout, one whose probe is unknown at
preview, one whose window covers its timeout."""
EXAMPLES = Examples(
    good=[
        samples.service(),
        samples.env_value(samples.service(), INIT_TIMEOUT_ENV, None),
        # At the limit: timeout equal to the period.
        changed(samples.service(), f"{PROBE_0}.timeoutSeconds", 10),
        # The case: a 340 s window (100 + 24 x 10) covers 300 s + 15 s, exactly as advised.
        changed(
            changed(
                samples.env_value(samples.service(), INIT_TIMEOUT_ENV, "300"),
                f"{PROBE_0}.initialDelaySeconds",
                100,
            ),
            f"{PROBE_0}.failureThreshold",
            24,
        ),
        # At the limit: 480 s = 240 + 24 x 10 covers 465 + 15.
        changed(
            changed(
                samples.env_value(samples.service(), INIT_TIMEOUT_ENV, "465"),
                f"{PROBE_0}.initialDelaySeconds",
                240,
            ),
            f"{PROBE_0}.failureThreshold",
            24,
        ),
        Of(SERVICE_V1, samples.service_v1()),
    ],
    bad=[
        Bad(
            changed(samples.service(), f"{PROBE_0}.failureThreshold", 6),
            (
                Want(
                    (
                        "container 0: start-up window 60 s (initialDelaySeconds 0 + 6 x 10 s) "
                        "is shorter than DATABASE_INIT_TIMEOUT_SECONDS 75 s + 15 s margin = 90 "
                        "s; e.g. failureThreshold 9 at periodSeconds 10."
                    ),
                    _WINDOW,
                    60,
                    ">= 90",
                ),
            ),
        ),
        Bad(
            _FOURTH_SHORT,
            (
                Want(
                    (
                        "container 3: start-up window 60 s (initialDelaySeconds 0 + 6 x 10 s) "
                        "is shorter than DATABASE_INIT_TIMEOUT_SECONDS 75 s + 15 s margin = 90 "
                        "s; e.g. failureThreshold 9 at periodSeconds 10."
                    ),
                    _WINDOW,
                    60,
                    ">= 90",
                ),
            ),
        ),
        Bad(
            samples.env_value(samples.service(), INIT_TIMEOUT_ENV, "300"),
            (
                Want(
                    (
                        "container 0: start-up window 120 s (initialDelaySeconds 0 + 12 x 10 s) "
                        "is shorter than DATABASE_INIT_TIMEOUT_SECONDS 300 s + 15 s margin = "
                        "315 s; e.g. initialDelaySeconds 75 and failureThreshold 24 at "
                        "periodSeconds 10."
                    ),
                    _WINDOW,
                    120,
                    ">= 315",
                ),
            ),
        ),
        Bad(
            samples.env_value(samples.service(), INIT_TIMEOUT_ENV, "466"),
            (
                Want(
                    (
                        "container 0: start-up window 120 s (initialDelaySeconds 0 + 12 x 10 s) "
                        "is shorter than DATABASE_INIT_TIMEOUT_SECONDS 466 s + 15 s margin = "
                        "481 s; 481 s cannot fit in Cloud Run's longest start-up window (480 s: "
                        "initialDelaySeconds 240 + 240 s): lower DATABASE_INIT_TIMEOUT_SECONDS "
                        "to at most 465 s."
                    ),
                    _WINDOW,
                    120,
                    ">= 481",
                ),
            ),
        ),
        Bad(
            changed(samples.service(), f"{PROBE_0}.failureThreshold", 30),
            (
                Want(
                    (
                        "container 0: failureThreshold x periodSeconds = 300 s exceeds Cloud "
                        "Run's 240 s cap."
                    ),
                    (f"{PROBE}.failureThreshold", f"{PROBE}.periodSeconds"),
                    300,
                    "<= 240",
                ),
            ),
        ),
        Bad(
            changed(samples.service(), f"{PROBE_0}.timeoutSeconds", 20),
            (
                Want(
                    "container 0: timeoutSeconds 20 exceeds periodSeconds 10.",
                    (f"{PROBE}.timeoutSeconds",),
                    20,
                    "<= 10",
                ),
            ),
        ),
        Bad(
            samples.service(),
            (
                Want(
                    (
                        "container 0: start-up window 120 s "
                        "(initialDelaySeconds 0 + 12 x 10 s) is shorter than "
                        "DATABASE_INIT_TIMEOUT_SECONDS 75 s + 60 s margin = 135 "
                        "s; e.g. failureThreshold 14 at periodSeconds 10."
                    ),
                    _WINDOW,
                    120,
                    ">= 135",
                ),
            ),
            {"marginSeconds": 60},
        ),
        Bad(
            Of(
                SERVICE_V1,
                changed(
                    samples.service_v1(),
                    "template.spec.containers.0.startupProbe.failureThreshold",
                    6,
                ),
            ),
            (
                Want(
                    "container 0: start-up window 60 s (initialDelaySeconds 0 + 6 x 10 s) is "
                    "shorter than DATABASE_INIT_TIMEOUT_SECONDS 75 s + 15 s margin = 90 s; e.g. "
                    "failureThreshold 9 at periodSeconds 10.",
                    (
                        "template.spec.containers.startupProbe.failureThreshold",
                        "template.spec.containers.envs.DATABASE_INIT_TIMEOUT_SECONDS",
                    ),
                    60,
                    ">= 90",
                ),
            ),
        ),
    ],
)

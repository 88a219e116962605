"""cloudrun-startup-probe-http: an explicit HTTP or gRPC startup probe on a health endpoint."""

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
from policies.guard.props import at

RESOURCE_TYPE = SERVICE
PROBE = "template.containers.startupProbe"
REMEDIATION = (
    "Declare startupProbe.httpGet.path (e.g. /health) that answers 200 only once the app's "
    "database pool is ready: the default TCP probe passes before the app can serve."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    for index, container in enumerate(containers(props)):
        probe = at(container, "startupProbe", Mapping)
        if probe is None:
            yield Violation(
                f"container {index} has no startupProbe (the default is TCP).", (PROBE,)
            )
            continue
        if at(probe, "grpc", Mapping) is not None:
            continue
        http = at(probe, "httpGet", Mapping)
        if http is None:
            yield Violation(
                f"container {index}'s startupProbe is not HTTP or gRPC.", (f"{PROBE}.httpGet",)
            )
        elif not at(http, "path", str, default=""):
            yield Violation(
                f"container {index}'s startupProbe.httpGet has no path.",
                (f"{PROBE}.httpGet.path",),
            )


POLICY = resource_policy(
    name="cloudrun-startup-probe-http",
    description="Cloud Run services need an explicit HTTP or gRPC startup probe.",
    resource_types=(SERVICE, SERVICE_V1),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

_PROBE = "template.containers.0.startupProbe"
EXAMPLES = Examples(
    good=[
        samples.service(),
        changed(
            changed(samples.service(), f"{_PROBE}.httpGet", None), f"{_PROBE}.grpc", {"port": 8080}
        ),
        Of(SERVICE_V1, samples.service_v1()),
    ],
    bad=[
        # Each container judged after the one before: none, gRPC (passes), no path.
        Bad(
            changed(
                samples.service(),
                "template.containers",
                [
                    {"image": "sidecar"},
                    {"image": "grpc", "startupProbe": {"grpc": {"port": 8081}}},
                    {"image": "app", "startupProbe": {"httpGet": {"port": 8080}}},
                ],
            ),
            (
                Want(
                    "container 0 has no startupProbe (the default is TCP).",
                    ("template.containers.startupProbe",),
                ),
                Want(
                    "container 2's startupProbe.httpGet has no path.",
                    ("template.containers.startupProbe.httpGet.path",),
                ),
            ),
        ),
        Bad(
            changed(samples.service(), _PROBE, None),
            (
                Want(
                    "container 0 has no startupProbe (the default is TCP).",
                    ("template.containers.startupProbe",),
                ),
            ),
        ),
        Bad(
            changed(
                changed(samples.service(), f"{_PROBE}.httpGet", None),
                f"{_PROBE}.tcpSocket",
                {"port": 8080},
            ),
            (
                Want(
                    "container 0's startupProbe is not HTTP or gRPC.",
                    ("template.containers.startupProbe.httpGet",),
                ),
            ),
        ),
        Bad(
            changed(samples.service(), f"{_PROBE}.httpGet.path", None),
            (
                Want(
                    "container 0's startupProbe.httpGet has no path.",
                    ("template.containers.startupProbe.httpGet.path",),
                ),
            ),
        ),
        Bad(
            Of(
                SERVICE_V1,
                changed(samples.service_v1(), "template.spec.containers.0.startupProbe", None),
            ),
            (
                Want(
                    "container 0 has no startupProbe (the default is TCP).",
                    ("template.spec.containers.startupProbe",),
                ),
            ),
        ),
    ],
)

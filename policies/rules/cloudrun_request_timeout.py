"""cloudrun-request-timeout: an explicit request timeout within Cloud Run's 1-3600 s."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Of, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = SERVICE
TIMEOUT = "template.timeout"
DURATION = re.compile(r"^([0-9]+)(?:\.[0-9]{1,9})?s$")
REMEDIATION = (
    'Set template.timeout explicitly (e.g. "300s"), within 1-3600 s and at most the '
    "configured maxSeconds."
)


def check(props: Any, config: Config) -> Iterator[Violation]:
    timeout = at(props, "template.timeout", str)
    if timeout is None:
        yield Violation("no template.timeout: the service inherits a default.", (TIMEOUT,))
        return
    if not known(timeout):
        return
    match = DURATION.match(timeout)
    if match is None:
        yield Violation(
            f'template.timeout {timeout!r} is not a duration like "300s".', (TIMEOUT,), timeout
        )
        return
    seconds = int(match.group(1))
    low, high = facts.REQUEST_TIMEOUT_SECONDS
    limit = min(high, config["maxSeconds"])
    if not low <= seconds <= limit:
        yield Violation(
            f"template.timeout {seconds} s is outside {low}-{limit} s.",
            (TIMEOUT,),
            seconds,
            f"{low}-{limit}",
        )


POLICY = resource_policy(
    name="cloudrun-request-timeout",
    description="Cloud Run services declare a request timeout within Cloud Run's limits.",
    resource_types=(SERVICE, SERVICE_V1),
    check=check,
    severity=Severity.MEDIUM,
    remediation=REMEDIATION,
    defaults={"maxSeconds": 3600},
    schema={"maxSeconds": {"type": "integer", "minimum": 1, "maximum": 3600}},
)

_TIMEOUT = "template.timeout"
EXAMPLES = Examples(
    good=[
        samples.service(),
        changed(samples.service(), _TIMEOUT, "3600s"),
        Of(SERVICE_V1, samples.service_v1()),
        Of(SERVICE_V1, changed(samples.service_v1(), "template.spec.timeoutSeconds", 3600)),
        # A timeout unknown at preview: not judged.
        changed(samples.service(), _TIMEOUT, samples.UNKNOWN),
    ],
    bad=[
        Bad(
            changed(samples.service(), _TIMEOUT, None),
            (
                Want(
                    "no template.timeout: the service inherits a default.",
                    ("template.timeout",),
                ),
            ),
        ),
        Bad(
            changed(samples.service(), _TIMEOUT, "5m"),
            (
                Want(
                    "template.timeout '5m' is not a duration like \"300s\".",
                    ("template.timeout",),
                    "5m",
                ),
            ),
        ),
        Bad(
            changed(samples.service(), _TIMEOUT, "7200s"),
            (
                Want(
                    "template.timeout 7200 s is outside 1-3600 s.",
                    ("template.timeout",),
                    7200,
                    "1-3600",
                ),
            ),
        ),
        Bad(
            samples.service(),
            (
                Want(
                    "template.timeout 300 s is outside 1-60 s.",
                    ("template.timeout",),
                    300,
                    "1-60",
                ),
            ),
            {"maxSeconds": 60},
        ),
        Bad(
            Of(SERVICE_V1, changed(samples.service_v1(), "template.spec.timeoutSeconds", None)),
            (
                Want(
                    "no template.timeout: the service inherits a default.",
                    ("template.spec.timeoutSeconds",),
                ),
            ),
        ),
        Bad(
            Of(SERVICE_V1, changed(samples.service_v1(), "template.spec.timeoutSeconds", 3601)),
            (
                Want(
                    "template.timeout 3601 s is outside 1-3600 s.",
                    ("template.spec.timeoutSeconds",),
                    3601,
                    "1-3600",
                ),
            ),
        ),
    ],
)

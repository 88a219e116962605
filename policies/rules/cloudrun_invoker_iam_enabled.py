"""cloudrun-invoker-iam-enabled: a service checks IAM before it answers, unless listed as public.

`invokerIamDisabled: true` turns off the run.routes.invoke check for every caller
(https://cloud.google.com/run/docs/securing/managing-access#invoker_check): the service is public
without any allUsers member, so cloudrun-no-public-invoker cannot see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = SERVICE
REMEDIATION = (
    "Remove invokerIamDisabled and grant roles/run.invoker to the callers; a service meant to "
    "be public is listed in the policy config's publicServices."
)


def check(props: Any, config: Config) -> Iterator[Violation]:
    if at(props, "invokerIamDisabled", bool) is not True:
        return
    service = at(props, "name", str)
    if known(service) and service in config["publicServices"]:
        return
    yield Violation(
        f"service {service} has invokerIamDisabled: anyone on its URL may invoke it.",
        ("invokerIamDisabled",),
        True,
        False,
    )


POLICY = resource_policy(
    name="cloudrun-invoker-iam-enabled",
    description="Cloud Run services keep the invoker IAM check, unless listed as public.",
    resource_types=(SERVICE,),
    check=check,
    severity=Severity.HIGH,
    security=True,
    remediation=REMEDIATION,
    defaults={"publicServices": []},
    schema={"publicServices": {"type": "array", "items": {"type": "string"}}},
)

_DISABLED = changed(samples.service(), "invokerIamDisabled", True)
_WANT = Want(
    "service backend has invokerIamDisabled: anyone on its URL may invoke it.",
    ("invokerIamDisabled",),
    True,
    False,
)
EXAMPLES = Examples(
    good=[
        samples.service(),
        changed(samples.service(), "invokerIamDisabled", False),
        changed(changed(samples.service(), "name", "www"), "invokerIamDisabled", True),
    ],
    good_config={"publicServices": ["www"]},
    bad=[
        Bad(_DISABLED, (_WANT,)),
        Bad(_DISABLED, (_WANT,), config={"publicServices": ["www"]}),
    ],
)

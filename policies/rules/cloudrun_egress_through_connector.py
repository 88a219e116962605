"""cloudrun-egress-through-connector: the service reaches the VPC through its connector.

A service on Direct VPC egress has no connector by design: the direct-vpc-* rules guard it, and
this rule says nothing about it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE, on_direct_vpc
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Of, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = SERVICE
REMEDIATION = (
    "Set template.vpcAccess.connector and egress PRIVATE_RANGES_ONLY (ALL_TRAFFIC sends every "
    "request through the connector; allow it in the policy config only when it is meant)."
)


def check(props: Any, config: Config) -> Iterator[Violation]:
    if on_direct_vpc(props):
        return
    access = at(props, "template.vpcAccess", Mapping)
    if access is None or at(access, "connector", str) is None:
        yield Violation(
            "the service has no VPC connector: it cannot reach private Cloud SQL.",
            ("template.vpcAccess.connector",),
        )
        return
    egress = at(access, "egress", str, default=facts.EGRESS_DEFAULT)
    if not known(egress) or egress == facts.EGRESS_DEFAULT:
        return
    if egress == "ALL_TRAFFIC" and config["allowAllTraffic"]:
        return
    yield Violation(
        f"egress is {egress}.", ("template.vpcAccess.egress",), egress, facts.EGRESS_DEFAULT
    )


POLICY = resource_policy(
    name="cloudrun-egress-through-connector",
    description="Cloud Run services egress to private ranges through the VPC connector.",
    resource_types=(SERVICE, SERVICE_V1),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
    defaults={"allowAllTraffic": False},
    schema={"allowAllTraffic": {"type": "boolean"}},
)

_EGRESS = "template.vpcAccess.egress"
EXAMPLES = Examples(
    good=[
        samples.service(),
        changed(samples.service(), _EGRESS, None),
        # Direct VPC egress: not this rule's, whatever its egress.
        samples.direct_service(),
        changed(samples.direct_service(), _EGRESS, "ALL_TRAFFIC"),
        # ALL_TRAFFIC when the policy config allows it (good_config).
        changed(samples.service(), _EGRESS, "ALL_TRAFFIC"),
        Of(SERVICE_V1, samples.service_v1()),
        # An egress unknown at preview: not judged.
        changed(samples.service(), _EGRESS, samples.UNKNOWN),
    ],
    good_config={"allowAllTraffic": True},
    bad=[
        Bad(
            changed(samples.service(), "template.vpcAccess", None),
            (
                Want(
                    "the service has no VPC connector: it cannot reach private Cloud SQL.",
                    ("template.vpcAccess.connector",),
                ),
            ),
        ),
        Bad(
            changed(samples.service(), _EGRESS, "ALL_TRAFFIC"),
            (
                Want(
                    "egress is ALL_TRAFFIC.",
                    ("template.vpcAccess.egress",),
                    "ALL_TRAFFIC",
                    "PRIVATE_RANGES_ONLY",
                ),
            ),
        ),
        Bad(
            Of(
                SERVICE_V1,
                samples.v1_annotation(
                    samples.service_v1(), "run.googleapis.com/vpc-access-connector", None
                ),
            ),
            (
                Want(
                    "the service has no VPC connector: it cannot reach private Cloud SQL.",
                    ("template.metadata.annotations.run.googleapis.com/vpc-access-connector",),
                ),
            ),
        ),
        Bad(
            Of(
                SERVICE_V1,
                samples.v1_annotation(
                    samples.service_v1(), "run.googleapis.com/vpc-access-egress", "all-traffic"
                ),
            ),
            (
                Want(
                    "egress is ALL_TRAFFIC.",
                    ("template.metadata.annotations.run.googleapis.com/vpc-access-egress",),
                    "ALL_TRAFFIC",
                    "PRIVATE_RANGES_ONLY",
                ),
            ),
        ),
        # Allowing ALL_TRAFFIC allows nothing else.
        Bad(
            changed(samples.service(), _EGRESS, "ALL"),
            (Want("egress is ALL.", ("template.vpcAccess.egress",), "ALL", "PRIVATE_RANGES_ONLY"),),
            {"allowAllTraffic": True},
        ),
    ],
)

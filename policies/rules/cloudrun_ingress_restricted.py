"""cloudrun-ingress-restricted: a service takes requests from the internet only when the policy
config lists it as public, with the reason.

Cloud Run's default ingress is INGRESS_TRAFFIC_ALL (https://cloud.google.com/run/docs/securing/
ingress). No Checkov or Trivy check covers Cloud Run's ingress; Checkov's CKV_GCP_124
(CloudFunctionPermissiveIngress) is the same assertion for Cloud Functions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import UNKNOWN, at

RESOURCE_TYPE = SERVICE
DEFAULT_INGRESS = "INGRESS_TRAFFIC_ALL"
REMEDIATION = (
    "Set ingress INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER "
    "(conduit:service.ingress), or list the service under publicIngress in the policy config "
    "with the reason it must be reachable from the internet (e.g. uptime checks)."
)


def check(props: Any, config: Config) -> Iterator[Violation]:
    ingress = at(props, "ingress", str, default=DEFAULT_INGRESS)
    service = at(props, "name", str)
    if ingress is UNKNOWN or service is UNKNOWN or ingress in facts.INTERNAL_INGRESS:
        return
    reason = config["publicIngress"].get(service)
    if isinstance(reason, str) and reason.strip():
        return
    yield Violation(
        f"service {service} takes requests from the internet (ingress {ingress}) and the policy "
        "config gives no reason.",
        ("ingress",),
        ingress,
        list(facts.INTERNAL_INGRESS),
    )


POLICY = resource_policy(
    name="cloudrun-ingress-restricted",
    description="Cloud Run services take internal traffic only, unless listed public.",
    resource_types=(SERVICE,),
    check=check,
    severity=Severity.MEDIUM,
    security=True,
    remediation=REMEDIATION,
    defaults={"publicIngress": {}},
    schema={
        "publicIngress": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "service name -> why it must take requests from the internet",
        }
    },
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _want(ingress: str) -> Want:
    return Want(
        f"service backend takes requests from the internet (ingress {ingress}) and the policy "
        "config gives no reason.",
        ("ingress",),
        ingress,
        list(facts.INTERNAL_INGRESS),
    )


# pragma: no mutate end


EXAMPLES = Examples(
    good=[
        changed(samples.service(), "ingress", "INGRESS_TRAFFIC_INTERNAL_ONLY"),
        changed(samples.service(), "ingress", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"),
        changed(samples.service(), "name", "www"),
        # An ingress or a service name unknown at preview: not judged.
        changed(samples.service(), "ingress", samples.UNKNOWN),
        changed(samples.service(), "name", samples.UNKNOWN),
    ],
    good_config={"publicIngress": {"www": "the public site"}},
    bad=[
        Bad(samples.service(), (_want("INGRESS_TRAFFIC_ALL"),)),
        # The API's default is all traffic.
        Bad(changed(samples.service(), "ingress", None), (_want("INGRESS_TRAFFIC_ALL"),)),
        # Listed without a reason, or another service listed.
        Bad(
            samples.service(), (_want("INGRESS_TRAFFIC_ALL"),), {"publicIngress": {"backend": " "}}
        ),
        Bad(
            samples.service(),
            (_want("INGRESS_TRAFFIC_ALL"),),
            {"publicIngress": {"www": "the public site"}},
        ),
        Bad(
            changed(samples.service(), "ingress", "INGRESS_TRAFFIC_UNSPECIFIED"),
            (_want("INGRESS_TRAFFIC_UNSPECIFIED"),),
        ),
    ],
)

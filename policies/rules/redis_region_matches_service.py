"""redis-region-matches-service: a service reaches Redis in its own region.

Memorystore is regional; a service in another region crosses regions on every request (latency,
egress cost) and, through a connector, cannot reach it at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import redis_linker, redis_of
from policies.guard.props import at, known

REDIS = "gcp:redis/instance:Instance"
REMEDIATION = "Create the Redis instance in the service's region (gcp:region)."


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    linker = redis_linker(of_type(resources, REDIS))
    for service in of_type(resources, SERVICE):
        redis = redis_of(service, linker)
        if redis is None:
            continue
        service_region = at(service.props, "location", str)
        redis_region = at(redis.props, "region", str)
        if known(service_region) and known(redis_region) and service_region != redis_region:
            yield Violation(
                f"service in {service_region} uses Redis in {redis_region}.",
                ("location",),
                observed=redis_region,
                required=service_region,
                urn=service.urn,
                related=((redis.urn, "region"),),
            )


POLICY = stack_policy(
    name="redis-region-matches-service",
    description="A service's Redis instance is in the service's region.",
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

_WIRED = samples.env_value(samples.service(), "REDIS_HOST", samples.redis()["host"])
_REDIS_URN = urn(REDIS, "staging-redis")

EXAMPLES = Examples(
    good=[
        [Res(REDIS, samples.redis()), Res(SERVICE, _WIRED)],
        # A service without REDIS_HOST is not Redis's client.
        [
            Res(REDIS, changed(samples.redis(), "region", "europe-west1")),
            Res(SERVICE, samples.service()),
        ],
        # Either region unknown at preview: not judged.
        [
            Res(REDIS, changed(samples.redis(), "region", samples.UNKNOWN)),
            Res(SERVICE, changed(_WIRED, "location", "europe-west1")),
        ],
        [
            Res(REDIS, changed(samples.redis(), "region", "europe-west1")),
            Res(SERVICE, changed(_WIRED, "location", samples.UNKNOWN)),
        ],
    ],
    bad=[
        Bad(
            [Res(REDIS, changed(samples.redis(), "region", "europe-west1")), Res(SERVICE, _WIRED)],
            (
                Want(
                    "service in us-central1 uses Redis in europe-west1.",
                    ("location",),
                    observed="europe-west1",
                    required="us-central1",
                    urn=urn(SERVICE, "backend"),
                    related=((_REDIS_URN, "region"),),
                ),
            ),
        ),
        # A service that is not Redis's client before the one that is: the next still counts.
        Bad(
            [
                Res(REDIS, changed(samples.redis(), "region", "europe-west1")),
                Res(SERVICE, {**samples.service(), "name": "other"}),
                Res(SERVICE, _WIRED),
            ],
            (
                Want(
                    "service in us-central1 uses Redis in europe-west1.",
                    ("location",),
                    observed="europe-west1",
                    required="us-central1",
                    urn=urn(SERVICE, "backend"),
                    related=((_REDIS_URN, "region"),),
                ),
            ),
        ),
        # Host unknown at preview: the dependency links the service to the instance.
        Bad(
            [
                Res(REDIS, changed(samples.redis(), "region", "europe-west1")),
                Res(
                    SERVICE,
                    samples.env_value(samples.service(), "REDIS_HOST", "10.9.9.9"),
                    dependencies=[_REDIS_URN],
                ),
            ],
            (
                Want(
                    "service in us-central1 uses Redis in europe-west1.",
                    ("location",),
                    observed="europe-west1",
                    required="us-central1",
                    urn=urn(SERVICE, "backend"),
                    related=((_REDIS_URN, "region"),),
                ),
            ),
        ),
    ],
)

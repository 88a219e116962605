"""redis-private-service-access: Redis sits on the stack's own network, reached through private
services access (or peered directly with that network).

Without an authorized network the instance joins the project's `default` network, which the
stack's services cannot reach through their connector.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import urn_of
from policies.guard.props import at, known

REDIS = "gcp:redis/instance:Instance"
NETWORK = "gcp:compute/network:Network"
PSA = "gcp:servicenetworking/connection:Connection"
REMEDIATION = (
    "Give the instance the stack's network as authorizedNetwork with connectMode "
    "PRIVATE_SERVICE_ACCESS, after the network's servicenetworking Connection."
)


def _names(network: StackResource) -> set[str]:
    """The ways a network is referred to: its id, self link and name."""
    refs = {at(network.props, key, str) for key in ("id", "selfLink", "name")}
    return {r for r in refs if known(r) and r} | {network.urn}


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    networks = of_type(resources, NETWORK)
    network_refs: set[str] = set()
    for network in networks:
        network_refs |= _names(network)
    connections = of_type(resources, PSA)
    peered = {at(c.props, "network", str) for c in connections}
    connection_urns = {c.urn for c in connections}
    for redis in of_type(resources, REDIS):
        authorized = at(redis.props, "authorizedNetwork", str)
        depends = {urn_of(d) for d in redis.dependencies}
        if authorized is None:
            yield Violation(
                "no authorizedNetwork: the instance joins the project's default network, not "
                "the stack's.",
                ("authorizedNetwork",),
                urn=redis.urn,
            )
            continue
        on_stack = (
            known(authorized)
            and authorized.rsplit("/", 1)[-1] in {r.rsplit("/", 1)[-1] for r in network_refs}
        ) or bool(depends & network_refs)
        if not on_stack:
            yield Violation(
                f"authorizedNetwork {authorized} is not a network of this stack.",
                ("authorizedNetwork",),
                observed=authorized,
                urn=redis.urn,
            )
            continue
        mode = at(redis.props, "connectMode", str, default="DIRECT_PEERING")
        waits_for_peering = bool(depends & connection_urns)
        if (
            mode == facts.REDIS_CONNECT_MODE
            and not waits_for_peering
            and not (known(authorized) and authorized in peered)
        ):
            yield Violation(
                "connectMode PRIVATE_SERVICE_ACCESS but no servicenetworking Connection for the "
                "instance's network.",
                ("connectMode",),
                urn=redis.urn,
            )


POLICY = stack_policy(
    name="redis-private-service-access",
    description="Redis is on the stack's network, through private services access.",
    check=check,
    inspects=(
        "gcp:compute/network:Network",
        "gcp:servicenetworking/connection:Connection",
    ),
    severity=Severity.HIGH,
    security=True,
    remediation=REMEDIATION,
)

_VPC = Res(NETWORK, {"name": "staging-vpc", "id": samples.NETWORK_ID}, urn=urn(NETWORK, "vpc"))
_PSA = Res(PSA, {"network": samples.NETWORK_ID, "service": "servicenetworking.googleapis.com"})
_REDIS_URN = urn(REDIS, "staging-redis")


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _redis(name: str, network: object, dependencies: list[str] | None = None) -> Res:
    props = {**changed(samples.redis(), "authorizedNetwork", network), "name": name}
    return Res(REDIS, props, dependencies=dependencies or [])


# pragma: no mutate end


EXAMPLES = Examples(
    good=[
        [_VPC, _PSA, Res(REDIS, samples.redis())],
        # Direct peering with the stack's own network is private too.
        [_VPC, Res(REDIS, changed(samples.redis(), "connectMode", "DIRECT_PEERING"))],
        # The instance's network unknown at preview: it waits for the network and the peering.
        [_VPC, _PSA, _redis("pending", samples.UNKNOWN, dependencies=[_VPC.urn, _PSA.urn])],
        # References unknown at preview: the recorded dependencies link them.
        [
            _VPC,
            _PSA,
            Res(
                REDIS,
                changed(samples.redis(), "authorizedNetwork", "projects/p/global/networks/x"),
                dependencies=[_VPC.urn, _PSA.urn],
            ),
        ],
    ],
    bad=[
        # Three instances, each judged after the one before it: no network, a network of
        # another stack, and a network unknown at preview that waits for the stack's network
        # but not for its peering (whose network is unknown too). The network's self link is
        # unknown at preview: its id and name still say which it is.
        Bad(
            [
                Res(NETWORK, {**_VPC.props, "selfLink": samples.UNKNOWN}, urn=_VPC.urn),
                Res(PSA, {**_PSA.props, "network": samples.UNKNOWN}),
                _redis("a", None),
                _redis("b", "projects/p/global/networks/default"),
                _redis("c", samples.UNKNOWN, dependencies=[_VPC.urn]),
            ],
            (
                Want(
                    "no authorizedNetwork: the instance joins the project's default network, "
                    "not the stack's.",
                    ("authorizedNetwork",),
                    urn=urn(REDIS, "a"),
                ),
                Want(
                    "authorizedNetwork projects/p/global/networks/default is not a network of "
                    "this stack.",
                    ("authorizedNetwork",),
                    observed="projects/p/global/networks/default",
                    urn=urn(REDIS, "b"),
                ),
                Want(
                    "connectMode PRIVATE_SERVICE_ACCESS but no servicenetworking Connection for "
                    "the instance's network.",
                    ("connectMode",),
                    urn=urn(REDIS, "c"),
                ),
            ),
        ),
        Bad(
            [_VPC, _PSA, Res(REDIS, changed(samples.redis(), "authorizedNetwork", None))],
            (
                Want(
                    "no authorizedNetwork: the instance joins the project's default network, "
                    "not the stack's.",
                    ("authorizedNetwork",),
                    urn=_REDIS_URN,
                ),
            ),
        ),
        Bad(
            [
                _VPC,
                _PSA,
                Res(
                    REDIS,
                    changed(
                        samples.redis(), "authorizedNetwork", "projects/p/global/networks/default"
                    ),
                ),
            ],
            (
                Want(
                    "authorizedNetwork projects/p/global/networks/default is not a network of "
                    "this stack.",
                    ("authorizedNetwork",),
                    observed="projects/p/global/networks/default",
                    urn=_REDIS_URN,
                ),
            ),
        ),
        Bad(
            [_VPC, Res(REDIS, samples.redis())],
            (
                Want(
                    "connectMode PRIVATE_SERVICE_ACCESS but no servicenetworking Connection for "
                    "the instance's network.",
                    ("connectMode",),
                    urn=_REDIS_URN,
                ),
            ),
        ),
    ],
)

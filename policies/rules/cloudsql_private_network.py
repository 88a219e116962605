"""cloudsql-private-network: the instance is on a private network with private services access."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import urn_of
from policies.guard.props import at, known

INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance"
PSA = "gcp:servicenetworking/connection:Connection"
REMEDIATION = (
    "Set settings.ipConfiguration.privateNetwork and create a servicenetworking Connection "
    "(service servicenetworking.googleapis.com) for that network; the instance depends on it."
)


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    connections = of_type(resources, PSA)
    peered_networks = {at(c.props, "network", str) for c in connections}
    connection_urns = {c.urn for c in connections}
    for instance in of_type(resources, INSTANCE):
        network = at(instance.props, "settings.ipConfiguration.privateNetwork", str)
        if network is None:
            yield Violation(
                "the instance has no private network.",
                ("settings.ipConfiguration.privateNetwork",),
                urn=instance.urn,
            )
            continue
        waits_for_peering = any(urn_of(d) in connection_urns for d in instance.dependencies)
        if not waits_for_peering and not (known(network) and network in peered_networks):
            yield Violation(
                "no private services access (servicenetworking Connection) for the instance's "
                "network.",
                ("settings.ipConfiguration.privateNetwork",),
                urn=instance.urn,
            )


POLICY = stack_policy(
    name="cloudsql-private-network",
    description="Cloud SQL must sit on a private network that has private services access.",
    check=check,
    inspects=("gcp:servicenetworking/connection:Connection",),
    severity=Severity.HIGH,
    security=True,
    remediation=REMEDIATION,
)

_NETWORK = samples.instance()["settings"]["ipConfiguration"]["privateNetwork"]
_PSA = Res(PSA, {"network": _NETWORK, "service": "servicenetworking.googleapis.com"})

_UNKNOWN_NETWORK = changed(
    samples.instance(), "settings.ipConfiguration.privateNetwork", samples.UNKNOWN
)
_NO_PSA = "no private services access (servicenetworking Connection) for the instance's network."

EXAMPLES = Examples(
    good=[
        [_PSA, Res(INSTANCE, samples.instance())],
        # The network unknown at preview: the instance waits for the peering it depends on.
        [
            Res(PSA, {"network": samples.UNKNOWN, "name": "unknown"}),
            _PSA,
            Res(INSTANCE, _UNKNOWN_NETWORK, dependencies=[_PSA.urn]),
        ],
    ],
    bad=[
        # Private services access for another network does not count.
        Bad(
            [
                Res(PSA, {"network": "projects/p/global/networks/other", "name": "other"}),
                Res(INSTANCE, samples.instance()),
            ],
            (
                Want(
                    _NO_PSA,
                    ("settings.ipConfiguration.privateNetwork",),
                    urn=urn(INSTANCE, "staging-instance"),
                ),
            ),
        ),
        # A network unknown at preview, with no peering to wait for; an instance with no
        # private network before it does not stop the judging.
        Bad(
            [
                _PSA,
                # A peering whose network is unknown too is no peering of this instance's.
                Res(PSA, {"network": samples.UNKNOWN, "name": "unknown"}),
                Res(
                    INSTANCE,
                    {**changed(samples.instance(), "settings.ipConfiguration", {}), "name": "a"},
                ),
                Res(INSTANCE, _UNKNOWN_NETWORK, dependencies=["urn:pulumi:test::conduit::x::y"]),
            ],
            (
                Want(
                    "the instance has no private network.",
                    ("settings.ipConfiguration.privateNetwork",),
                    urn=urn(INSTANCE, "a"),
                ),
                Want(
                    _NO_PSA,
                    ("settings.ipConfiguration.privateNetwork",),
                    urn=urn(INSTANCE, "staging-instance"),
                ),
            ),
        ),
        Bad(
            [Res(INSTANCE, samples.instance())],
            (
                Want(
                    (
                        "no private services access (servicenetworking Connection) for the "
                        "instance's network."
                    ),
                    ("settings.ipConfiguration.privateNetwork",),
                    urn=urn(INSTANCE, "staging-instance"),
                ),
            ),
        ),
        Bad(
            [_PSA, Res(INSTANCE, changed(samples.instance(), "settings.ipConfiguration", {}))],
            (
                Want(
                    "the instance has no private network.",
                    ("settings.ipConfiguration.privateNetwork",),
                    urn=urn(INSTANCE, "staging-instance"),
                ),
            ),
        ),
    ],
)

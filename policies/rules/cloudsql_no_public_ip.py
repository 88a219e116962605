"""cloudsql-no-public-ip: no public IPv4 address, and never an authorized network of 0.0.0.0/0."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import UNKNOWN, at, items

RESOURCE_TYPE = "gcp:sql/databaseInstance:DatabaseInstance"
OPEN_RANGES = ("0.0.0.0/0", "::/0")
REMEDIATION = (
    "Set settings.ipConfiguration.ipv4Enabled to false, keep 0.0.0.0/0 out of authorizedNetworks "
    "and reach the instance on its private IP."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    # The provider's default for ipv4Enabled is true: an absent value means a public address.
    if at(props, "settings.ipConfiguration.ipv4Enabled", bool, default=True) is True:
        yield Violation(
            "the instance gets a public IPv4 address (ipv4Enabled is not false).",
            ("settings.ipConfiguration.ipv4Enabled",),
            True,
            False,
        )
    for network in items(props, "settings.ipConfiguration.authorizedNetworks"):
        if network is UNKNOWN or not isinstance(network, Mapping):
            continue
        if at(network, "value", str) in OPEN_RANGES:
            yield Violation(
                f"authorized network {network['value']} opens the instance to the internet.",
                ("settings.ipConfiguration.authorizedNetworks",),
                network["value"],
            )


POLICY = resource_policy(
    name="cloudsql-no-public-ip",
    description="Cloud SQL must have no public IP and no authorized network open to the internet.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.CRITICAL,
    security=True,
    remediation=REMEDIATION,
)

_IPV4 = "settings.ipConfiguration.ipv4Enabled"

_NETWORKS = "settings.ipConfiguration.authorizedNetworks"
_OPEN = Want(
    "authorized network 0.0.0.0/0 opens the instance to the internet.",
    ("settings.ipConfiguration.authorizedNetworks",),
    "0.0.0.0/0",
)

EXAMPLES = Examples(
    good=[
        samples.instance(),
        # A private range is no opening; an entry unknown at preview or not an object is not
        # judged.
        changed(samples.instance(), _NETWORKS, [{"value": "10.0.0.0/8"}, samples.UNKNOWN, "x"]),
    ],
    bad=[
        # An unknown entry and a private range before the open one do not stop the judging.
        Bad(
            changed(
                samples.instance(),
                _NETWORKS,
                [samples.UNKNOWN, "x", {"value": "10.0.0.0/8"}, {"value": "0.0.0.0/0"}],
            ),
            (_OPEN,),
        ),
        Bad(
            changed(samples.instance(), "settings.ipConfiguration.ipv4Enabled", True),
            (
                Want(
                    "the instance gets a public IPv4 address (ipv4Enabled is not false).",
                    (_IPV4,),
                    True,
                    False,
                ),
            ),
        ),
        Bad(
            changed(samples.instance(), "settings.ipConfiguration.ipv4Enabled", None),
            (
                Want(
                    "the instance gets a public IPv4 address (ipv4Enabled is not false).",
                    (_IPV4,),
                    True,
                    False,
                ),
            ),
        ),
        Bad(
            changed(
                changed(samples.instance(), "settings.ipConfiguration.ipv4Enabled", True),
                "settings.ipConfiguration.authorizedNetworks",
                [{"value": "0.0.0.0/0"}],
            ),
            (
                Want(
                    "the instance gets a public IPv4 address (ipv4Enabled is not false).",
                    (_IPV4,),
                    True,
                    False,
                ),
                Want(
                    "authorized network 0.0.0.0/0 opens the instance to the internet.",
                    ("settings.ipConfiguration.authorizedNetworks",),
                    "0.0.0.0/0",
                ),
            ),
        ),
    ],
)

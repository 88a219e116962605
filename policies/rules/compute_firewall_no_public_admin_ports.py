"""compute-firewall-no-public-admin-ports: no ingress firewall rule opens an administration or
database port to the internet.

Covers Checkov CKV_GCP_2 (22), CKV_GCP_3 (3389) and CKV_GCP_88 (3306)
(AbsGoogleComputeFirewallUnrestrictedIngress: an `allow` whose ports include the port, from
0.0.0.0/0), here also for PostgreSQL and Redis, for ::/0, for no ports (all of them) and for
protocol `all`; Trivy AVD-GCP-0027 (google-compute-no-public-ingress) for these ports.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import UNKNOWN, MalformedError, at, items, known

RESOURCE_TYPE = "gcp:compute/firewall:Firewall"
PORT_PROTOCOLS = ("tcp", "udp", "sctp", "all")
"""Protocols whose rules name ports; `all` (and an absent list of ports) opens every port."""
REMEDIATION = (
    "Restrict sourceRanges to the addresses that administer the service (or use IAP TCP "
    "forwarding, 35.235.240.0/20); the database and Redis are reached on private IP only."
)


def _ports(spec: Any) -> set[int] | None:
    """The admin ports an `allow` entry opens; None when they are unknown."""
    protocol = at(spec, "protocol", str)
    if not known(protocol):
        return None
    if protocol.lower() not in PORT_PROTOCOLS:
        return set()
    declared = items(spec, "ports")
    if not declared or protocol.lower() == "all":
        return set(facts.ADMIN_PORTS)
    opened: set[int] = set()
    for entry in declared:
        if not isinstance(entry, str):
            return None
        low, _, high = entry.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise MalformedError(
                f"allow ports should be numbers or ranges, got {entry!r}"
            ) from None
        opened |= {port for port in facts.ADMIN_PORTS if first <= port <= last}
    return opened


def check(props: Any, _config: Config) -> Iterator[Violation]:
    if at(props, "direction", str, default="INGRESS") != "INGRESS" or at(props, "disabled", bool):
        return
    sources = [s for s in items(props, "sourceRanges") if s in facts.INTERNET_RANGES]
    if not sources:
        return
    name = at(props, "name", str)
    for index, spec in enumerate(items(props, "allows")):
        if spec is UNKNOWN or not isinstance(spec, Mapping):
            continue
        for port in sorted(_ports(spec) or ()):
            yield Violation(
                f"firewall {name} opens {facts.ADMIN_PORTS[port]} (port {port}) to {sources[0]}.",
                (f"allows.{index}", "sourceRanges"),
                sources[0],
            )


POLICY = resource_policy(
    name="compute-firewall-no-public-admin-ports",
    description="No firewall rule opens SSH, RDP, database or Redis ports to the internet.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.CRITICAL,
    security=True,
    remediation=REMEDIATION,
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _rule(*allows: dict[str, Any], source: str = "0.0.0.0/0") -> dict[str, Any]:
    return {
        "name": "allow-admin",
        "network": "staging-vpc",
        "sourceRanges": ["10.0.0.0/8", source],
        "allows": list(allows),
    }


def _want(label: str, port: int, index: int = 0, source: str = "0.0.0.0/0") -> Want:
    return Want(
        f"firewall allow-admin opens {label} (port {port}) to {source}.",
        (f"allows.{index}", "sourceRanges"),
        source,
    )


# pragma: no mutate end


_ALL = tuple(_want(label, port) for port, label in sorted(facts.ADMIN_PORTS.items()))
EXAMPLES = Examples(
    good=[
        _rule({"protocol": "tcp", "ports": ["80", "443"]}),
        _rule({"protocol": "tcp", "ports": ["23", "5433-6377"]}),
        _rule({"protocol": "icmp"}),
        changed(_rule({"protocol": "tcp", "ports": ["22"]}), "sourceRanges", ["35.235.240.0/20"]),
        changed(_rule({"protocol": "tcp", "ports": ["22"]}), "direction", "EGRESS"),
        changed(_rule({"protocol": "tcp", "ports": ["22"]}), "disabled", True),
        # A protocol or a port unknown at preview (or no protocol at all): not judged.
        _rule({"protocol": samples.UNKNOWN}, {"ports": ["22"]}),
        _rule({"protocol": "tcp", "ports": [samples.UNKNOWN, "22"]}),
    ],
    bad=[
        Bad(_rule({"protocol": "tcp", "ports": ["22"]}), (_want("SSH", 22),)),
        # An entry unknown at preview, one that is not an object, and one whose protocol is
        # unknown come first: the next is still judged, at its own index.
        Bad(
            _rule(
                samples.UNKNOWN,  # type: ignore[arg-type]
                "tcp:22",  # type: ignore[arg-type]
                {"protocol": samples.UNKNOWN, "ports": ["22"]},
                {"protocol": "tcp", "ports": ["22"]},
            ),
            (_want("SSH", 22, 3),),
        ),
        Bad(
            _rule(
                {"protocol": "icmp"},
                {"protocol": "TCP", "ports": ["5432", "6378-6379"]},
                source="::/0",
            ),
            (
                _want("PostgreSQL", 5432, 1, "::/0"),
                _want("Redis over TLS", 6378, 1, "::/0"),
                _want("Redis", 6379, 1, "::/0"),
            ),
        ),
        Bad(_rule({"protocol": "tcp", "ports": ["3389"]}), (_want("RDP", 3389),)),
        Bad(
            _rule({"protocol": "tcp", "ports": ["3000-3400"]}),
            (_want("MySQL", 3306), _want("RDP", 3389)),
        ),
        # No ports, or protocol all: every port.
        Bad(_rule({"protocol": "tcp"}), _ALL),
        Bad(_rule({"protocol": "all", "ports": ["80"]}), _ALL),
        Bad(
            changed(_rule({"protocol": "udp", "ports": ["22"]}), "direction", "INGRESS"),
            (_want("SSH", 22),),
        ),
    ],
)

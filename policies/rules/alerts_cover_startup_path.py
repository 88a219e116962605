"""alerts-cover-startup-path: the database, the egress path and every service have an alert that
notifies someone.

The incident's start-up failures went unnoticed until users saw them: every link of the path
(Cloud SQL, the connector or Direct VPC subnet, each Cloud Run service) needs an alert policy
labelled as covering it (conduit-covers) with at least one notification channel. The label is
Conduit's (its alerts component sets it from conduit:alerting): only what Conduit's components
built is judged, so a program that does not use them is not asked for labels it never writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import EnforcementLevel, Severity

from conduit.core import teams
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.built import built_by_conduit
from policies.guard.cloudrun import SERVICE
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, child, urn
from policies.guard.props import at, items, known

ALERT = "gcp:monitoring/alertPolicy:AlertPolicy"
INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance"
CONNECTOR = "gcp:vpcaccess/connector:Connector"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
REMEDIATION = (
    "Set conduit:alerting with channels for both teams: the program then creates an alert for "
    "the database, the egress path and every service."
)


def _covered(alerts: Sequence[StackResource]) -> tuple[set[str], set[str]]:
    """(what alerts with a channel cover, what alerts without one cover)."""
    notified: set[str] = set()
    silent: set[str] = set()
    for alert in alerts:
        covers = at(alert.props, f"userLabels.{teams.COVERS_LABEL}", str)
        if not known(covers):
            continue
        (notified if items(alert.props, "notificationChannels") else silent).add(covers)
    return notified, silent


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    built = [r for r in resources if built_by_conduit(r)]
    services = of_type(built, SERVICE)
    if not services:
        return
    notified, silent = _covered(of_type(resources, ALERT))
    needed = [(r, teams.COVERS_DATABASE, "the database") for r in of_type(built, INSTANCE)]
    needed += [(r, teams.COVERS_EGRESS, "the egress path") for r in of_type(built, CONNECTOR)]
    needed += [(r, teams.COVERS_EGRESS, "the egress path") for r in of_type(built, SUBNET)]
    for service in services:
        name = at(service.props, "name", str)
        if known(name):
            needed.append((service, teams.covers_service(name), f"service {name}"))
    for resource, covers, what in needed:
        if covers in notified:
            continue
        why = " has no notification channel" if covers in silent else ""
        yield Violation(
            f"no alert covers {what}: an alert policy labelled {teams.COVERS_LABEL}={covers}"
            f"{why or ' with a notification channel is missing'}.",
            ("userLabels",),
            observed=None,
            required=covers,
            urn=resource.urn,
        )


POLICY = stack_policy(
    name="alerts-cover-startup-path",
    description=(
        "The database, the egress path and every service have an alert with a notification channel."
    ),
    check=check,
    inspects=("gcp:monitoring/alertPolicy:AlertPolicy",),
    severity=Severity.HIGH,
    remediation=REMEDIATION,
    enforcement=EnforcementLevel.ADVISORY,
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
_DATABASE, _NETWORK, _SERVICE = (
    "conduit:database:Database",
    "conduit:network:Network",
    "conduit:service:Service",
)
_INSTANCE = child(_DATABASE, INSTANCE, samples.instance())
_CONNECTOR = child(_NETWORK, CONNECTOR, samples.connector())
_SUBNET = child(_NETWORK, SUBNET, samples.subnet())
_BACKEND = child(_SERVICE, SERVICE, samples.service())
_INSTANCE_URN = urn(INSTANCE, "staging-instance", _DATABASE)
_CONNECTOR_URN = urn(CONNECTOR, "staging-connector", _NETWORK)
_BACKEND_URN = urn(SERVICE, "backend", _SERVICE)


def _system(*alerts: dict) -> list[Res]:
    return [
        _INSTANCE,
        _CONNECTOR,
        _BACKEND,
        *(
            Res(ALERT, {**a, "displayName": f"{i}"}, urn=urn(ALERT, str(i)))
            for i, a in enumerate(alerts)
        ),
    ]


def _missing(what: str, covers: str, urn_: str) -> Want:
    return Want(
        f"no alert covers {what}: an alert policy labelled conduit-covers={covers} with a "
        "notification channel is missing.",
        ("userLabels",),
        None,
        covers,
        urn=urn_,
    )


_ALL = (
    samples.alert_policy("database"),
    samples.alert_policy("egress"),
    samples.alert_policy("service-backend", "application"),
)
# A program's own instance, connector and service, not built by Conduit's components.
_FOREIGN = [
    Res(INSTANCE, {**samples.instance(), "name": "db"}),
    Res(CONNECTOR, {**samples.connector(), "name": "vpc-connector"}),
    Res(SERVICE, {**samples.service(), "name": "web"}),
]
# pragma: no mutate end

EXAMPLES = Examples(
    good=[
        _system(*_ALL),
        # A Direct VPC stack: its subnet is the egress path.
        [
            _INSTANCE,
            _SUBNET,
            child(_SERVICE, SERVICE, samples.direct_service()),
            *(Res(ALERT, a, urn=urn(ALERT, str(i))) for i, a in enumerate(_ALL)),
        ],
        # Nothing on Cloud Run: nothing to cover.
        [_INSTANCE],
        # A program that does not use Conduit's components writes no conduit-covers labels:
        # its resources are not judged.
        _FOREIGN,
        # Its own resources beside Conduit's covered ones are not judged either.
        [*_FOREIGN, *_system(*_ALL)],
    ],
    bad=[
        # The production stack without conduit:alerting.
        Bad(
            _system(),
            (
                _missing("the database", "database", _INSTANCE_URN),
                _missing("the egress path", "egress", _CONNECTOR_URN),
                _missing("service backend", "service-backend", _BACKEND_URN),
            ),
        ),
        # A program's own service before Conduit's: only Conduit's resources are said to need
        # an alert.
        Bad(
            [*_FOREIGN, *_system()],
            (
                _missing("the database", "database", _INSTANCE_URN),
                _missing("the egress path", "egress", _CONNECTOR_URN),
                _missing("service backend", "service-backend", _BACKEND_URN),
            ),
        ),
        # A Direct VPC stack: its subnet needs the egress alert. An alert whose label is unknown
        # at preview covers nothing yet; the alerts after it still count.
        Bad(
            [
                _INSTANCE,
                _SUBNET,
                child(_SERVICE, SERVICE, samples.direct_service()),
                Res(ALERT, changed(_ALL[0], "userLabels.conduit-covers", samples.UNKNOWN)),
                Res(ALERT, _ALL[0], urn=urn(ALERT, "database")),
                Res(ALERT, _ALL[2], urn=urn(ALERT, "backend")),
            ],
            (_missing("the egress path", "egress", urn(SUBNET, "staging-run-egress", _NETWORK)),),
        ),
        # An alert nobody receives does not cover anything.
        Bad(
            _system(
                samples.alert_policy("database"),
                changed(samples.alert_policy("egress"), "notificationChannels", []),
                samples.alert_policy("service-backend", "application"),
            ),
            (
                Want(
                    "no alert covers the egress path: an alert policy labelled "
                    "conduit-covers=egress has no notification channel.",
                    ("userLabels",),
                    None,
                    "egress",
                    urn=_CONNECTOR_URN,
                ),
            ),
        ),
    ],
)

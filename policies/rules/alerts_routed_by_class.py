"""alerts-routed-by-class: infrastructure alerts reach the infrastructure team's channels and
application alerts the application team's, by the labels the alerts and channels carry.

The remediation plan: Cloud SQL and connector problems to the infrastructure team, application
problems to the development team. A label that says one team and a channel of the other is how
the wrong people get paged and the right ones do not.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import Severity

from conduit.core import teams
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, StackResource, of_type, stack_policy
from policies.guard.examples import Bad, Examples, Res, Want, changed, urn
from policies.guard.links import Linker
from policies.guard.props import at, items, known

ALERT = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
REMEDIATION = (
    "Route by failure class: infrastructure and configuration to conduit:alerting.channels."
    "infrastructure, application to .application."
)


def _channels_of(alert: StackResource, linker: Linker) -> list[StackResource]:
    names = items(alert.props, "notificationChannels")
    found = [linker.by_key[n] for n in names if known(n) and n in linker.by_key]
    if len(found) == len(names):
        return found
    # Names unknown at preview: the channels the alert depends on are its channels.
    return linker.dependencies_of(alert)


def check(resources: Sequence[StackResource], _config: Config) -> Iterator[Violation]:
    linker = Linker(of_type(resources, CHANNEL), lambda c: at(c.props, "name", str))
    for alert in of_type(resources, ALERT):
        team = at(alert.props, f"userLabels.{teams.TEAM_LABEL}", str)
        failure_class = at(alert.props, f"userLabels.{teams.CLASS_LABEL}", str)
        if not known(team):
            continue
        routed = teams.TEAM_OF_CLASS.get(failure_class) if known(failure_class) else None
        if routed is not None and routed != team:
            yield Violation(
                f"a {failure_class} failure belongs to the {routed} team; this alert is "
                f"labelled {team}.",
                (f"userLabels.{teams.TEAM_LABEL}",),
                observed=team,
                required=routed,
                urn=alert.urn,
            )
        for channel in _channels_of(alert, linker):
            owner = at(channel.props, f"userLabels.{teams.TEAM_LABEL}", str)
            if known(owner) and owner != team:
                yield Violation(
                    f"the {team} team's alert notifies the {owner} team's channel "
                    f"{at(channel.props, 'name', str, default='?')}.",
                    ("notificationChannels",),
                    observed=owner,
                    required=team,
                    urn=alert.urn,
                    related=((channel.urn, "userLabels"),),
                )


POLICY = stack_policy(
    name="alerts-routed-by-class",
    description="Each alert notifies only its failure class's team, by their labels.",
    check=check,
    inspects=(
        "gcp:monitoring/alertPolicy:AlertPolicy",
        "gcp:monitoring/notificationChannel:NotificationChannel",
    ),
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

_CHANNELS = [
    Res(CHANNEL, samples.channel("infrastructure"), urn=urn(CHANNEL, "infrastructure")),
    Res(CHANNEL, samples.channel("application"), urn=urn(CHANNEL, "application")),
]
_APP_ALERT = samples.alert_policy("service-backend", "application")
EXAMPLES = Examples(
    good=[
        [
            *_CHANNELS,
            Res(ALERT, samples.alert_policy("database"), urn=urn(ALERT, "database")),
            Res(ALERT, samples.alert_policy("continuous-validation", "configuration")),
            Res(ALERT, _APP_ALERT, urn=urn(ALERT, "backend")),
        ],
        # A channel name that is not the stack's (unknown to it) is not judged.
        [
            *_CHANNELS,
            Res(
                ALERT,
                changed(_APP_ALERT, "notificationChannels", ["projects/p/notificationChannels/9"]),
            ),
        ],
        # A failure class of no team's, or unknown at preview, asks for no team; a channel with
        # no team label, or one unknown at preview, belongs to no other team.
        [
            Res(CHANNEL, changed(samples.channel("application"), "userLabels", None)),
            Res(
                CHANNEL,
                {
                    **changed(
                        samples.channel("application"), "userLabels.conduit-team", samples.UNKNOWN
                    ),
                    "name": samples.INFRA_CHANNEL,
                },
            ),
            Res(ALERT, changed(_APP_ALERT, "userLabels.conduit-failure-class", "cosmic-rays")),
            Res(
                ALERT,
                changed(_APP_ALERT, "userLabels.conduit-failure-class", samples.UNKNOWN),
                urn=urn(ALERT, "pending"),
            ),
            Res(
                ALERT,
                changed(_APP_ALERT, "notificationChannels", [samples.INFRA_CHANNEL]),
                urn=urn(ALERT, "unlabelled-channel"),
            ),
        ],
        # Channel names unknown at preview: linked by the dependency; still the right team.
        [
            *_CHANNELS,
            Res(
                ALERT,
                changed(_APP_ALERT, "notificationChannels", [samples.UNKNOWN]),
                dependencies=[urn(CHANNEL, "application")],
            ),
        ],
    ],
    bad=[
        # An application alert paging the infrastructure team; an alert with no team label
        # before it is not judged, and does not stop the judging.
        Bad(
            [
                *_CHANNELS,
                Res(ALERT, changed(_APP_ALERT, "userLabels", {}), urn=urn(ALERT, "unlabelled")),
                Res(
                    ALERT,
                    changed(_APP_ALERT, "notificationChannels", [samples.INFRA_CHANNEL]),
                    urn=urn(ALERT, "backend"),
                ),
            ],
            (
                Want(
                    "the application team's alert notifies the infrastructure team's channel "
                    f"{samples.INFRA_CHANNEL}.",
                    ("notificationChannels",),
                    "infrastructure",
                    "application",
                    urn=urn(ALERT, "backend"),
                    related=((urn(CHANNEL, "infrastructure"), "userLabels"),),
                ),
            ),
        ),
        # A configuration failure labelled for the application team, and routed there.
        Bad(
            [
                *_CHANNELS,
                Res(
                    ALERT,
                    changed(_APP_ALERT, "userLabels.conduit-failure-class", "configuration"),
                    urn=urn(ALERT, "probe"),
                    dependencies=[urn(CHANNEL, "application")],
                ),
            ],
            (
                Want(
                    "a configuration failure belongs to the infrastructure team; this alert is "
                    "labelled application.",
                    ("userLabels.conduit-team",),
                    "application",
                    "infrastructure",
                    urn=urn(ALERT, "probe"),
                ),
            ),
        ),
    ],
)

"""Notification channels per team and one alert policy per entry of the alert catalog
(alert_catalog.py beside this module), each routed to its team's channels and documented with
the `conduit validate` run to do."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from conduit.components import provenance
from conduit.components.operations.alert_catalog import Alert, AlertsArgs, alerts
from conduit.components.options import child_options
from conduit.core import teams

mon = gcp.monitoring
KEY = "conduit:alerting"


class Alerts(pulumi.ComponentResource):
    """Channels for the infrastructure and application teams, and one alert policy per failure:
    the database's connections, the connector's saturation, each service's start-up failures,
    5xx ratio and uptime, and the probe's connect times and failures by class."""

    policies: dict[str, mon.AlertPolicy]
    channels: dict[str, list[mon.NotificationChannel]]

    def __init__(self, name: str, args: AlertsArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("conduit:operations:Alerts", name, {}, opts)
        child = child_options(self, opts)
        self.channels = {
            team: [
                self._channel(f"{name}-{team}-{index}", args.environment, team, channel, child)
                for index, channel in enumerate(args.settings.channels[team])
            ]
            for team in teams.TEAMS
        }
        self.policies = {}
        for alert in alerts(args):
            policy = mon.AlertPolicy(
                f"{name}-{alert.key}",
                display_name=f"{args.environment}: {alert.title}",
                combiner="OR",
                conditions=alert.conditions,
                notification_channels=[c.name for c in self.channels[alert.team]],
                user_labels={
                    teams.TEAM_LABEL: alert.team,
                    teams.CLASS_LABEL: alert.failure_class,
                    teams.COVERS_LABEL: alert.covers,
                },
                severity="CRITICAL" if alert.team == "infrastructure" else "ERROR",
                documentation=mon.AlertPolicyDocumentationArgs(
                    mime_type="text/markdown",
                    subject=f"[{alert.team}] {args.environment}: {alert.title}",
                    content=self._documentation(alert, args.stack),
                ),
                alert_strategy=mon.AlertPolicyAlertStrategyArgs(
                    auto_close=f"{args.settings.auto_close_seconds}s",
                    # Log matches fire per entry: at most one notification per period.
                    notification_rate_limit=(
                        mon.AlertPolicyAlertStrategyNotificationRateLimitArgs(
                            period=f"{args.settings.notification_rate_limit_seconds}s"
                        )
                        if alert.log_based
                        else None
                    ),
                ),
                opts=child,
            )
            provenance.declare(policy, {"": KEY})
            self.policies[alert.key] = policy
        self.register_outputs(
            {
                "policies": {key: policy.name for key, policy in self.policies.items()},
                "channels": {
                    team: [channel.name for channel in channels]
                    for team, channels in self.channels.items()
                },
            }
        )

    @staticmethod
    def _channel(
        name: str, environment: str, team: str, channel, opts: ResourceOptions
    ) -> mon.NotificationChannel:
        if channel.type == "email":
            labels, target = {"email_address": channel.address}, channel.address
        else:
            labels, target = {"topic": channel.topic}, channel.topic
        resource = mon.NotificationChannel(
            name,
            display_name=f"{environment} {team}: {target}",
            type=channel.type,
            labels=labels,
            user_labels={teams.TEAM_LABEL: team},
            opts=opts,
        )
        provenance.declare(resource, {"": f"{KEY}.channels.{team}"})
        return resource

    @staticmethod
    def _documentation(alert: Alert, stack: str) -> str:
        return (
            f"**What fired:** {alert.what}\n\n"
            f"**Routed to:** the {alert.team} team (failure class: {alert.failure_class}).\n\n"
            f"**Likely causes:** {alert.causes}\n\n"
            f"**Check it:** `conduit validate --stack {stack} --only {alert.check}`\n\n"
            f"**Remediation:** {alert.remediation}"
        )

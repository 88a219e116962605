"""Operations as code: the probe job, the success criteria, alerting and continuous validation."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from conduit.core import cron, teams
from conduit.core.settings.base import CrossFieldError, Model
from conduit.core.settings.service import ServiceName


class ProbeJobSettings(Model):
    """The Cloud Run job that runs `conduit probe` inside the VPC: the start-up storm on demand."""

    image: Annotated[str, StringConstraints(min_length=1)]
    tasks: Annotated[int, Field(ge=1, le=1000)] = 10
    connections_per_task: Annotated[int, Field(ge=1, le=1000)] = 1
    hold_seconds: Annotated[float, Field(ge=0, le=600)] = 2
    timeout_seconds: Annotated[int, Field(ge=10, le=3600)] = 120
    service: ServiceName | None = None
    """Whose identity and egress path the job uses; the first service when absent."""


class SuccessCriteria(Model):
    """The thresholds the validator measures a live stack against."""

    connector_scaling_latency_seconds: Annotated[float, Field(gt=0)] = 10
    database_connect_seconds: Annotated[float, Field(gt=0)] = 30
    concurrent_connections: Annotated[int, Field(ge=1, le=1000)] = 50
    startup_success_rate: Annotated[float, Field(gt=0, le=1)] = 0.9
    redis_connect_seconds: Annotated[float, Field(gt=0)] = 5


EmailAddress = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
PubSubTopic = Annotated[
    str,
    StringConstraints(
        pattern=r"^projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/topics/[A-Za-z][-A-Za-z0-9_.~+%]{2,254}$"
    ),
]


class ChannelSettings(Model):
    """Where one team's alerts go: an email address or a Pub/Sub topic."""

    type: Literal["email", "pubsub"]
    address: EmailAddress | None = None
    topic: PubSubTopic | None = None

    @model_validator(mode="after")
    def _one_destination(self) -> ChannelSettings:
        wanted = "address" if self.type == "email" else "topic"
        given = {"address": self.address, "topic": self.topic}
        if given[wanted] is None:
            raise CrossFieldError(wanted, f"a {self.type} channel needs {wanted}")
        (other,) = set(given) - {wanted}
        if given[other] is not None:
            raise CrossFieldError(other, f"a {self.type} channel takes no {other}")
        return self


class AlertThresholds(Model):
    """Overrides of what an alert fires on; the connect times default to successCriteria."""

    database_connect_seconds: Annotated[float, Field(gt=0)] | None = None
    redis_connect_seconds: Annotated[float, Field(gt=0)] | None = None
    connections_percent: Annotated[int, Field(ge=1, le=100)] = 90
    """Cloud SQL backends above this share of max_connections."""
    error_ratio: Annotated[float, Field(gt=0, le=1)] = 0.05
    """A service's 5xx responses above this share of its requests."""
    connector_throughput_percent: Annotated[int, Field(ge=1, le=100)] = 80
    """The connector's traffic above this share of its capacity at maxInstances."""


class AlertingSettings(Model):
    """Notification channels by team, and what the alerts fire on."""

    channels: dict[
        teams.Team, Annotated[tuple[ChannelSettings, ...], Field(min_length=1, strict=False)]
    ]
    thresholds: AlertThresholds = AlertThresholds()
    auto_close_seconds: Annotated[int, Field(ge=1800, le=7 * 24 * 3600)] = 1800
    """An incident with no new data for this long closes itself."""
    notification_rate_limit_seconds: Annotated[int, Field(ge=300, le=24 * 3600)] = 3600
    """Log-based alerts notify at most once per this period (no spam)."""

    @model_validator(mode="after")
    def _every_team(self) -> AlertingSettings:
        missing = [team for team in teams.TEAMS if team not in self.channels]
        if missing:
            raise CrossFieldError(
                "channels",
                f"needs channels for every team ({', '.join(teams.TEAMS)}); missing: "
                f"{', '.join(missing)}",
            )
        return self


def _cron(value: str) -> str:
    try:
        cron.parse(value)
    except cron.CronError as error:
        raise ValueError(str(error)) from None
    return value


CronExpression = Annotated[str, AfterValidator(_cron)]


class ContinuousValidationSettings(Model):
    """Cloud Scheduler runs the probe job on these unix-cron schedules; a tier left out does not
    run."""

    connectivity: CronExpression | None = None
    """One task, one connection each to the database and Redis."""
    performance: CronExpression | None = None
    """One task, successCriteria.concurrentConnections connections."""
    storm: CronExpression | None = None
    """probeJob.tasks tasks at once: the start-up storm."""
    time_zone: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")] = (
        "Etc/UTC"
    )

    @property
    def tiers(self) -> dict[str, str]:
        """Each configured tier's schedule, in tier order."""
        schedules = {
            "connectivity": self.connectivity,
            "performance": self.performance,
            "storm": self.storm,
        }
        return {tier: when for tier, when in schedules.items() if when is not None}

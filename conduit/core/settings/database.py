"""`conduit:database`: the Cloud SQL for PostgreSQL instance."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from conduit.core import facts
from conduit.core.settings.base import CrossFieldError, Model


def _tier(value: str) -> str:
    try:
        facts.parse_tier(value)
    except facts.TierError as error:
        raise ValueError(str(error)) from None
    return value


class BackupSettings(Model):
    """Automated backups and point-in-time recovery."""

    enabled: bool = True
    point_in_time_recovery: bool = True
    retained_backups: Annotated[
        int, Field(ge=facts.BACKUP_RETENTION_COUNT[0], le=facts.BACKUP_RETENTION_COUNT[1])
    ] = 14
    transaction_log_retention_days: Annotated[
        int,
        Field(
            ge=facts.TRANSACTION_LOG_RETENTION_DAYS_ENTERPRISE[0],
            le=facts.TRANSACTION_LOG_RETENTION_DAYS_ENTERPRISE[1],
        ),
    ] = 7

    @model_validator(mode="after")
    def _backups_outlast_logs(self) -> BackupSettings:
        if self.enabled and self.retained_backups <= self.transaction_log_retention_days:
            raise CrossFieldError(
                "retainedBackups",
                f"retainedBackups ({self.retained_backups}) must be above "
                f"transactionLogRetentionDays ({self.transaction_log_retention_days}): the Cloud "
                'SQL Admin API refuses it ("backup retention should be > transaction log '
                'retention")',
            )
        return self


class DatabaseSettings(Model):
    """The Cloud SQL for PostgreSQL instance."""

    tier: Annotated[str, AfterValidator(_tier)]
    version: Annotated[str, StringConstraints(pattern=r"^POSTGRES_\d+$")] = "POSTGRES_15"
    edition: facts.Edition = "ENTERPRISE"
    availability: facts.Availability = "ZONAL"
    max_connections: Annotated[int, Field(ge=facts.MAX_CONNECTIONS_FLAG_MIN)] | None = None
    deletion_protection: bool = True
    backups: BackupSettings = BackupSettings()
    database_name: Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]{0,62}$")] = "app"
    user_name: Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]{0,62}$")] = "app"

    @property
    def effective_max_connections(self) -> int:
        """max_connections as set, else the tier's default."""
        if self.max_connections is not None:
            return self.max_connections
        return facts.default_max_connections(facts.parse_tier(self.tier).memory_gb)

    @model_validator(mode="after")
    def _coherent(self) -> DatabaseSettings:
        tier = facts.parse_tier(self.tier)
        if tier.shared_core and self.availability == "REGIONAL":
            raise CrossFieldError(
                "availability",
                f"availability REGIONAL needs a dedicated-core tier, not {self.tier!r}",
            )
        if self.availability == "REGIONAL" and not (
            self.backups.enabled and self.backups.point_in_time_recovery
        ):
            raise CrossFieldError(
                "availability",
                "availability REGIONAL needs backups.enabled and pointInTimeRecovery",
            )
        if self.backups.point_in_time_recovery and not self.backups.enabled:
            raise CrossFieldError("backups", "backups.pointInTimeRecovery needs backups.enabled")
        return self

"""The validator's check ids, defined once: each check's `ID`, the alerts' `conduit validate
--only <id>` line, and the validator's routing by which checks passed all name these."""

from __future__ import annotations

from enum import StrEnum


class CheckId(StrEnum):
    """Stable kebab-case ids, never renamed: listed in docs/validate.md, passed to --only."""

    SERVICE_READY = "service-ready"
    SECRETS_RESOLVABLE = "secrets-resolvable"
    CONFIG_DRIFT = "config-drift"
    HEALTH_ENDPOINTS = "health-endpoints"
    DATABASE_CONNECT = "database-connect"
    REDIS_CONNECT = "redis-connect"
    STARTUP_STORM = "startup-storm"
    CONNECTOR_SCALING = "connector-scaling"
    SERVICE_STARTUP_RATE = "service-startup-rate"

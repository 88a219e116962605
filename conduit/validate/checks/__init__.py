"""The validator's checks, in the order they run; one module each."""

from __future__ import annotations

from conduit.validate.checks import (
    config_drift,
    connector_scaling,
    database_connect,
    health_endpoints,
    redis_connect,
    secrets_resolvable,
    service_ready,
    service_startup_rate,
    startup_storm,
)

CHECKS = [
    service_ready,
    secrets_resolvable,
    config_drift,
    health_endpoints,
    database_connect,
    redis_connect,
    startup_storm,
    connector_scaling,
    service_startup_rate,
]

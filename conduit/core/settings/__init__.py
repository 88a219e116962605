"""The stack settings, by stack-file area: frozen, strict pydantic models of the `conduit:*` keys
(`StackFile`, validated once at the boundary by conduit.core.loader) and the runtime
`StackSettings` computed from them. Secrets are never fields here: their values stay Pulumi
secret outputs.

This package's public face: import from `conduit.core.settings`; its modules import each other.
"""

from conduit.core.names import SERVICES_KEY, SINGLE_SERVICE_KEY
from conduit.core.settings.base import CrossFieldError, EnvVarName, HttpPath, Model, SecretId
from conduit.core.settings.database import BackupSettings, DatabaseSettings
from conduit.core.settings.network import ConnectorSettings, NetworkSettings, SubnetSettings
from conduit.core.settings.operations import (
    AlertingSettings,
    AlertThresholds,
    ChannelSettings,
    ContinuousValidationSettings,
    ProbeJobSettings,
    SuccessCriteria,
)
from conduit.core.settings.redis import RedisSettings
from conduit.core.settings.runtime import DatabaseLogin, StackSettings
from conduit.core.settings.service import (
    DATABASE_PASSWORD_ENV,
    REDIS_ENV,
    RESERVED_ENV,
    DatabasePoolSettings,
    LivenessProbeSettings,
    ServiceEntrySettings,
    ServiceSettings,
    StartupProbeSettings,
)
from conduit.core.settings.stack import GRADES, StackFile, grade_of, settings_of

__all__ = [
    "DATABASE_PASSWORD_ENV",
    "GRADES",
    "REDIS_ENV",
    "RESERVED_ENV",
    "SERVICES_KEY",
    "SINGLE_SERVICE_KEY",
    "AlertThresholds",
    "AlertingSettings",
    "BackupSettings",
    "ChannelSettings",
    "ConnectorSettings",
    "ContinuousValidationSettings",
    "CrossFieldError",
    "DatabaseLogin",
    "DatabasePoolSettings",
    "DatabaseSettings",
    "EnvVarName",
    "HttpPath",
    "LivenessProbeSettings",
    "Model",
    "NetworkSettings",
    "ProbeJobSettings",
    "RedisSettings",
    "SecretId",
    "ServiceEntrySettings",
    "ServiceSettings",
    "StackFile",
    "StackSettings",
    "StartupProbeSettings",
    "SubnetSettings",
    "SuccessCriteria",
    "grade_of",
    "settings_of",
]

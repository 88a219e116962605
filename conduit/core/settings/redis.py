"""`conduit:redis`: Memorystore for Redis."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from conduit.core import facts
from conduit.core.settings.base import Model


class RedisSettings(Model):
    """Memorystore for Redis on the stack's network through private services access."""

    tier: facts.RedisTier = "STANDARD_HA"
    memory_size_gb: Annotated[
        int, Field(ge=facts.REDIS_MEMORY_GB[0], le=facts.REDIS_MEMORY_GB[1])
    ] = 1
    version: Annotated[str, StringConstraints(pattern=facts.REDIS_VERSION_PATTERN)] = "REDIS_7_2"
    auth_enabled: bool = True
    transit_encryption: facts.RedisTransitEncryption = "SERVER_AUTHENTICATION"

"""What every area's settings model shares: the base model, the cross-field error, common types."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

from conduit.core import facts

EnvVarName = Annotated[str, StringConstraints(pattern=facts.ENV_VAR_NAME_PATTERN)]
SecretId = Annotated[str, StringConstraints(pattern=facts.SECRET_ID_PATTERN)]
HttpPath = Annotated[str, StringConstraints(pattern=r"^/[^\s]*$")]


class CrossFieldError(ValueError):
    """A cross-field rule broken; `key` is the camelCase key the message is about."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class Model(BaseModel):
    """Base of every settings model: camelCase keys, no unknown keys, no coercion, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=False,
        validate_by_alias=True,
        extra="forbid",
        frozen=True,
        strict=True,
        # The docstrings under the fields are the schema's descriptions (stack.schema.json).
        use_attribute_docstrings=True,
    )


def ipv4_network(value: str) -> ipaddress.IPv4Network:
    """`value` as an IPv4 network, or a ValueError that says why."""
    try:
        return ipaddress.IPv4Network(value)
    except ValueError as error:
        raise ValueError(f"not an IPv4 CIDR range ({error})") from None

"""The stack's outputs as input: `pulumi stack output --json` (or a file of it) validated once
into a typed model, every problem one line naming the key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import ValidationError

from conduit.core.settings import SuccessCriteria
from conduit.core.settings.base import Model

SECRET_OUTPUTS = frozenset({"databasePassword"})
"""Outputs that hold a secret: never read, never validated, never echoed. The program exports
none now (#26); a stack deployed before may still carry `databasePassword`."""


class _Outputs(Model):
    """Outputs read as the stack file is: camelCase keys, no unknown key, no coercion, frozen."""


class ServiceOutputs(_Outputs):
    """One entry of the `services` output."""

    url: str | None = None
    health_endpoints: list[str] | None = None


class StackOutputs(_Outputs):
    """Every output the program exports (conduit/program.py `export_outputs`), all optional: an
    older stack or a hand-written file may leave any out, and checks skip what they lack."""

    project: str | None = None
    region: str | None = None
    services: dict[str, ServiceOutputs | None] | None = None
    service_name: str | None = None
    service_url: str | None = None
    health_endpoints: list[str] | None = None
    egress_path: Literal["connector", "direct"] | None = None
    connector_id: str | None = None
    subnet_id: str | None = None
    sql_connection_name: str | None = None
    sql_private_ip: str | None = None
    database_name: str | None = None
    database_user: str | None = None
    """The one user of a stack from before issue #26 (one user per client)."""
    database_users: dict[str, str] | None = None
    """Client (a service's name, or `probe`) -> its own database user."""
    secret_ids: dict[str, str] | None = None
    """Env var name -> Secret Manager secret id."""
    success_criteria: SuccessCriteria | None = None
    probe_job: str | None = None
    redis_host: str | None = None
    redis_port: int | None = None


class OutputsError(ValueError):
    """Outputs of the wrong shape: one `source: key: problem` line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


EXPECTED = {
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "list_type": "expected a list",
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "float_type": "expected a number",
    "bool_type": "expected true or false",
}


SHAPES = {
    "secretIds": "expected an object of env var name -> secret id",
    "services": "expected an object of service name -> {url, healthEndpoints}",
    "successCriteria": "expected an object of the stack's conduit:successCriteria",
}
"""What an output holds, where a wrong shape is worth saying in full."""


def parse_outputs(outputs: Mapping[str, Any], source: str) -> StackOutputs:
    """Validate `outputs` (a JSON object) from `source`; raises OutputsError."""
    given = {k: v for k, v in outputs.items() if k not in SECRET_OUTPUTS}
    try:
        return StackOutputs.model_validate(given)
    except ValidationError as error:
        raise OutputsError([_describe(source, p) for p in error.errors()]) from None


def _describe(source: str, problem: Mapping[str, Any]) -> str:
    loc = [str(part) for part in problem["loc"]]
    kind = problem["type"]
    given = problem.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed(loc[:-1])
        message = f"unknown output; allowed: {', '.join(allowed)}"
    elif kind in EXPECTED:
        shape = type(given).__name__ if given is not None else "null"
        shape = {"dict": "an object", "list": "a list", "str": "a string"}.get(shape, shape)
        message = f"{SHAPES.get('.'.join(loc), EXPECTED[kind])}, got {shape}"
    elif kind == "literal_error":
        message = f"expected {problem['msg'].removeprefix('Input should be ')}, got {given!r}"
    else:
        message = problem["msg"].removeprefix("Value error, ")
        if not isinstance(given, dict | list):
            message += f" (got {given!r})"
    return f"{source}: {'.'.join(loc)}: {message}"


def _allowed(loc: list[str]) -> list[str]:
    """The keys allowed where an unknown one was found."""
    model: type[Model] = StackOutputs
    if loc and loc[0] == "services":
        model = ServiceOutputs
    elif loc and loc[0] == "successCriteria":
        model = SuccessCriteria
    return sorted(field.alias or name for name, field in model.model_fields.items())

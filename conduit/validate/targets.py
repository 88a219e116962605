"""What to validate: from the stack's outputs (`pulumi stack output --json --show-secrets`), an
outputs file, or explicit flags; thresholds from the stack's successCriteria."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from conduit.core.settings import StackSettings, SuccessCriteria


class TargetsError(ValueError):
    """Targets that cannot be read: names the source and the key; never echoes secrets."""


@dataclass(frozen=True)
class Targets:
    """Everything the checks may need; any of it may be missing, and checks skip what they lack."""

    stack: str
    criteria: SuccessCriteria
    service_url: str | None = None
    dsn: str | None = field(default=None, repr=False)
    health_endpoints: tuple[str, ...] = ("/health",)
    project: str | None = None
    region: str | None = None
    service_name: str | None = None
    connector_id: str | None = None
    secret_ids: dict[str, str] = field(default_factory=dict)
    sql_connection_name: str | None = None
    """`project:region:instance` of the Cloud SQL instance."""
    probe_job: str | None = None
    """The stack's probe job (`projects/.../jobs/...`): the storm through the real connector."""
    settings: StackSettings | None = None
    source: str = "flags"


def stack_outputs(stack: str, cwd: Path) -> dict[str, Any]:
    """`pulumi stack output --json --show-secrets` for `stack`."""
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise TargetsError(
            "--stack: the Pulumi CLI is not on PATH; give --outputs FILE (the JSON of "
            "`pulumi stack output --json --show-secrets`) or --service-url/--dsn"
        )
    result = subprocess.run(
        [pulumi, "stack", "output", "--json", "--show-secrets", "--stack", stack],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise TargetsError(f"--stack {stack}: pulumi stack output failed: {result.stderr.strip()}")
    return _json_object(result.stdout, f"pulumi stack output --stack {stack}")


def outputs_file(path: Path) -> dict[str, Any]:
    try:
        return _json_object(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        raise TargetsError(f"--outputs: {path}: no such file") from None


def _json_object(text: str, source: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise TargetsError(
            f"{source}: not valid JSON ({error.msg} at line {error.lineno})"
        ) from None
    if not isinstance(value, dict):
        raise TargetsError(f"{source}: expected a JSON object of stack outputs")
    return value


def from_outputs(
    outputs: dict[str, Any], stack: str, source: str, settings: StackSettings | None
) -> Targets:
    """Targets from stack outputs. No DSN: the private IP is reachable only inside the VPC, where
    the probe job measures; `--dsn` gives one that is reachable from here."""
    try:
        criteria = SuccessCriteria.model_validate(outputs.get("successCriteria") or {})
    except ValidationError as error:
        problem = error.errors()[0]
        key = ".".join(str(p) for p in problem["loc"])
        raise TargetsError(f"{source}: successCriteria.{key}: {problem['msg']}") from None
    return Targets(
        stack=stack,
        criteria=criteria,
        service_url=outputs.get("serviceUrl"),
        health_endpoints=tuple(outputs.get("healthEndpoints") or ("/health",)),
        project=outputs.get("project"),
        region=outputs.get("region"),
        service_name=outputs.get("serviceName"),
        connector_id=outputs.get("connectorId"),
        secret_ids=dict(outputs.get("secretIds") or {}),
        probe_job=outputs.get("probeJob"),
        sql_connection_name=outputs.get("sqlConnectionName"),
        settings=settings,
        source=source,
    )

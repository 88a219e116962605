"""The project's directory, its fixtures and its committed stack files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def stack_config(stack: str = "staging") -> dict[str, Any]:
    """The `config` mapping of a committed stack file, as a fresh copy."""
    document = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    return copy.deepcopy(document["config"])


def single_service_config(stack: str = "staging") -> dict[str, Any]:
    """A committed stack as a one-service stack file writes it (`conduit:service`): the backend
    alone, without Redis, as every stack file before `conduit:services` did."""
    config = stack_config(stack)
    backend = config.pop("conduit:services")["backend"]
    for key in ("port", "redis", "requiredEnv"):
        backend.pop(key, None)
    config.pop("conduit:redis", None)
    config["conduit:successCriteria"].pop("redisConnectSeconds", None)
    # Keep the file's key order: conduit:service where conduit:services was.
    ordered: dict[str, Any] = {}
    for key, value in config.items():
        if key == "conduit:secrets":
            ordered["conduit:service"] = {"name": "backend", **backend}
        ordered[key] = value
    return ordered


POLICIES_DIR = ROOT / "policies"

FIXTURES = ROOT / "tests" / "fixtures"

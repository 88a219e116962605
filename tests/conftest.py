"""Shared fixtures: the project directory and stack-file helpers."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.google_support import healthy_google

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture
def project_copy(tmp_path: Path):
    """A copy of the project's program and stack files in a temp dir, to write bad stacks into."""

    def make(config: dict[str, Any], stack: str = "staging") -> Path:
        (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
        (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
        return tmp_path

    return make


POLICIES_DIR = ROOT / "policies"


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for this test process."""
    from tests.postgres import remove, start_postgres

    server = start_postgres()
    yield server
    remove(server)


@pytest.fixture
def proxy(postgres):
    """A fault proxy in front of the server; every test starts with no fault."""
    from tests.faultproxy import FaultProxy

    fault_proxy = FaultProxy(postgres.port)
    yield fault_proxy
    fault_proxy.close()


@pytest.fixture
def google():
    """The fake Google APIs serving a healthy stack: (fake, endpoint)."""
    fake = healthy_google()
    endpoint = fake.start()
    yield fake, endpoint
    fake.stop()

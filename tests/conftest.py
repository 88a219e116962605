"""Shared fixtures: the project directory and stack-file helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.google_stack import healthy_google
from tests.support.project import ROOT


@pytest.fixture
def project_copy(tmp_path: Path):
    """A copy of the project's program and stack files in a temp dir, to write bad stacks into."""

    def make(config: dict[str, Any], stack: str = "staging") -> Path:
        (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
        (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
        return tmp_path

    return make


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for this test process."""
    from tests.support.postgres import remove, start_postgres

    server = start_postgres()
    yield server
    remove(server)


@pytest.fixture
def proxy(postgres):
    """A fault proxy in front of the server; every test starts with no fault."""
    from tests.support.faultproxy import FaultProxy

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

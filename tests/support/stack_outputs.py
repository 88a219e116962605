"""A deployed stack's outputs, as `pulumi stack output --json` writes them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.google_stack import CONNECTOR, INSTANCE, PROJECT, REGION, SECRETS


def outputs(tmp_path: Path, **criteria) -> Path:
    """A stack-outputs file as `pulumi stack output --json` writes it (no database fields)."""
    path = tmp_path / "outputs.json"
    path.write_text(
        json.dumps(
            {
                "project": PROJECT,
                "region": REGION,
                "serviceName": "backend",
                "connectorId": CONNECTOR,
                "sqlConnectionName": f"{PROJECT}:{REGION}:{INSTANCE}",
                "secretIds": SECRETS,
                "healthEndpoints": ["/health", "/health/infrastructure"],
                "successCriteria": {
                    "connectorScalingLatencySeconds": 10,
                    "databaseConnectSeconds": 30,
                    "concurrentConnections": 20,
                    "startupSuccessRate": 0.9,
                    **criteria,
                },
            }
        )
    )
    return path

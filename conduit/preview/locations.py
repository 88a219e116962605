"""Where in the stack file a policy finding is caused: the settings key, resolved to its line.

The pack knows nothing of Conduit's settings; this table is the program's side of that mapping.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from conduit.report.model import Location

PROGRAM = "__main__.py"

# policy -> [(word in the message, settings key)], first match wins; "" matches any message.
KEYS: dict[str, list[tuple[str, str]]] = {
    "connector-cidr-is-28": [("", "conduit:network.connector.ipCidrRange")],
    "connector-instance-bounds": [
        ("machineType", "conduit:network.connector.machineType"),
        ("maxInstances", "conduit:network.connector.maxInstances"),
        ("", "conduit:network.connector.minInstances"),
    ],
    "connector-warm-capacity": [
        ("machineType", "conduit:network.connector.machineType"),
        ("", "conduit:network.connector.minInstances"),
    ],
    "connector-machine-type-advisory": [("", "conduit:network.connector.machineType")],
    "connector-capacity-covers-services": [("", "conduit:network.connector.maxInstances")],
    "connector-region-matches-service": [("", "gcp:region")],
    "cloudsql-no-public-ip": [("", "conduit:database")],
    "cloudsql-private-network": [("", "conduit:network.privateServicesRange")],
    "cloudsql-ssl-required": [("", "conduit:database")],
    "cloudsql-backups-and-pitr": [("", "conduit:database.backups")],
    "cloudsql-deletion-protection": [("", "conduit:database.deletionProtection")],
    "cloudsql-dedicated-core": [("", "conduit:database.tier")],
    "cloudsql-edition-matches-tier": [("", "conduit:database.edition")],
    "cloudsql-max-connections-valid": [("", "conduit:database.maxConnections")],
    "cloudsql-connection-budget": [("", "conduit:service.databasePool")],
    "cloudrun-startup-probe-covers-db-init": [
        ("DATABASE_INIT_TIMEOUT_SECONDS", "conduit:service.startupProbe"),
        ("", "conduit:service.startupProbe"),
    ],
    "cloudrun-startup-probe-http": [("", "conduit:service.startupProbe.path")],
    "cloudrun-liveness-probe": [("", "conduit:service.livenessProbe")],
    "cloudrun-egress-through-connector": [("", "conduit:service.egress")],
    "cloudrun-secrets-by-reference": [("", "conduit:service.env")],
    "cloudrun-no-public-invoker": [("", "conduit:service.publicInvoker")],
    "cloudrun-request-timeout": [("", "conduit:service.requestTimeoutSeconds")],
    "cloudrun-connections-per-instance": [("", "conduit:service.databasePool")],
    "secret-references-resolve": [("", "conduit:externalSecrets"), ("", "conduit:secrets")],
}


class StackFileIndex:
    """Line numbers of the keys of one stack file."""

    def __init__(self, path: Path, project_dir: Path) -> None:
        self.relative = (
            str(path.relative_to(project_dir)) if path.is_relative_to(project_dir) else str(path)
        )
        entry = _entry(yaml.compose(path.read_text(encoding="utf-8")), "config")
        self._config = entry[1] if entry else None

    def line_of(self, key: str) -> tuple[int, str] | None:
        """(1-based line, key found) of the deepest existing prefix of `key`, or None."""
        node, found, line = self._config, [], 0
        for part in key.split("."):
            entry = _entry(node, part)
            if entry is None:
                break
            key_node, node = entry
            found.append(part)
            line = key_node.start_mark.line + 1
        return (line, ".".join(found)) if found else None

    def locate(self, policy: str, message: str, program: str) -> Location:
        """The stack-file location of a finding, else the program's."""
        for word, key in KEYS.get(policy, []):
            if word and word not in message:
                continue
            hit = self.line_of(key)
            if hit:
                return Location(self.relative, hit[0], hit[1])
        return Location(program, 1, "")


def _entry(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key node, value node) of `key` in a mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(((k, v) for k, v in node.value if k.value == key), None)

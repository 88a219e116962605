"""A deployed stack's resources from `pulumi stack export` (the deployment format, version 3).

Each custom resource of the state becomes the record the engine's analyzers would get for it:
its inputs for Analyze, its outputs for AnalyzeStack, with parent, dependencies and property
dependencies. Providers (`pulumi:providers:*`) and components are left out, as the engine
analyzes neither. A secret is kept secret: its plaintext when the export shows it
(`--show-secrets`), else unknown (a ciphertext cannot be read offline).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2

from conduit.core import files
from conduit.core.loader import SettingsError
from conduit.preview import sdk
from conduit.preview.runner import ResourceRecord

DEPLOYMENT_VERSION = 3
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
"""The value of the signature key of a secret in a checkpoint (`apitype.SecretV1`)."""
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass(frozen=True)
class DeployedStack:
    """What a state export says: the stack's name and its analyzable resources."""

    stack: str
    records: list[ResourceRecord]
    encrypted: int
    """How many secret values were ciphertexts (unknown to the pack)."""


def load_state(path: Path, shown: str) -> DeployedStack:
    """Read a `pulumi stack export` file; SettingsError names the file and key on bad input."""
    try:
        document = json.loads(files.read_text(path, shown))
    except files.UnreadableFileError as error:
        raise SettingsError([str(error)]) from None
    except ValueError as error:
        raise SettingsError([f"{shown}: not valid JSON: {error}"]) from None
    if not isinstance(document, dict):
        raise SettingsError([f"{shown}: expected the object `pulumi stack export` writes"])
    version = document.get("version")
    if version != DEPLOYMENT_VERSION:
        raise SettingsError(
            [
                f"{shown}: version: expected {DEPLOYMENT_VERSION} (the deployment format of "
                f"`pulumi stack export`), got {version!r}"
            ]
        )
    deployment = document.get("deployment")
    resources = deployment.get("resources", []) if isinstance(deployment, dict) else None
    if not isinstance(resources, list):
        raise SettingsError([f"{shown}: deployment.resources: a list of resources is required"])
    counter = _Secrets()
    records = []
    stack = ""
    for index, resource in enumerate(resources):
        where = f"{shown}: deployment.resources[{index}]"
        if not isinstance(resource, dict) or not all(
            isinstance(resource.get(key), str) for key in ("urn", "type")
        ):
            raise SettingsError([f"{where}: a resource with a string urn and type is required"])
        if resource["type"] == "pulumi:pulumi:Stack":
            stack = resource["urn"].split("::")[0].removeprefix("urn:pulumi:")
        if not resource.get("custom") or resource["type"].startswith("pulumi:providers:"):
            continue
        records.append(_record(resource, counter, where))
    return DeployedStack(stack or path.stem, records, counter.encrypted)


class _Secrets:
    def __init__(self) -> None:
        self.encrypted = 0

    def value(self, value: Any) -> Any:
        """A checkpoint value in the engine's wire format: secrets marked, ciphertext unknown."""
        if isinstance(value, dict):
            if value.get(sdk.SIG_KEY) == SECRET_SIG:
                if "plaintext" in value:
                    try:
                        plain = json.loads(value["plaintext"])
                    except (TypeError, ValueError):
                        plain = UNKNOWN
                    return sdk.wrap_secret(self.value(plain))
                self.encrypted += 1
                return sdk.wrap_secret(UNKNOWN)
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value


def _record(resource: dict[str, Any], secrets: _Secrets, where: str) -> ResourceRecord:
    def struct(key: str) -> struct_pb2.Struct:
        raw = resource.get(key) or {}
        if not isinstance(raw, dict):
            raise SettingsError([f"{where}.{key}: an object is required"])
        message = struct_pb2.Struct()
        message.update(secrets.value(raw))
        return message

    dependencies = resource.get("propertyDependencies") or {}
    urn = resource["urn"]
    return ResourceRecord(
        type=resource["type"],
        name=urn.rsplit("::", 1)[-1],
        urn=urn,
        parent=str(resource.get("parent") or ""),
        dependencies=[str(d) for d in resource.get("dependencies") or []],
        property_dependencies={
            str(key): [str(u) for u in urns]
            for key, urns in dependencies.items()
            if isinstance(urns, list)
        },
        provider=str(resource.get("provider") or ""),
        custom=True,
        inputs=struct("inputs"),
        outputs=struct("outputs"),
    )


def urn_lines(path: Path) -> dict[str, int]:
    """The line of each resource's `"urn":` in the export, where its findings are located."""
    lines: dict[str, int] = {}
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = text.strip()
        if stripped.startswith('"urn":'):
            try:
                urn = json.loads(stripped.removeprefix('"urn":').strip().rstrip(","))
            except ValueError:
                continue
            if isinstance(urn, str):
                lines.setdefault(urn, number)
    return lines

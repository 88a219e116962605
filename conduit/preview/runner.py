"""Run the real Pulumi program under the SDK's mock runtime and record every registration."""

from __future__ import annotations

import json
import runpy
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.stack import run_pulumi_func

from conduit.components import provenance
from conduit.preview import sdk
from conduit.preview.mocks import GcpMocks


@dataclass
class ResourceRecord:
    """One resource registration, as the engine would hand it to an analyzer."""

    type: str
    name: str
    urn: str
    parent: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    provider: str
    custom: bool
    inputs: struct_pb2.Struct
    outputs: struct_pb2.Struct = field(default_factory=struct_pb2.Struct)
    source: tuple[Path, int] | None = None
    """The file and line that constructed the resource (the SDK's `sourcePosition`)."""
    protect: bool = False
    """Pulumi's `protect` option: the engine refuses to delete the resource."""


@dataclass
class Recording:
    """Everything a program run registered, in order."""

    resources: list[ResourceRecord]
    stack_outputs: dict[str, Any]
    secret_outputs: set[str]
    """Stack outputs that are secrets: reporters must mask them."""
    encrypted_config: list[str] = field(default_factory=list)
    """Config keys not decrypted (no secrets provider offline): left out of a Conduit program,
    secret unknowns for any other (`secret_unknowns`)."""
    sources: dict[str, dict[str, str]] = field(default_factory=dict)
    """URN -> {property path: settings key}, as the components declared them."""


class DuplicateUrnError(RuntimeError):
    """Two registrations with one URN: the engine stops the update ("Duplicate resource URN")."""

    def __init__(self, urns: list[str]) -> None:
        super().__init__(
            "Duplicate resource URN (the engine stops the update here; each resource needs a "
            f"unique type, name and parent): {', '.join(urns)}"
        )
        self.urns = urns


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, keeping each request the way the engine would see it."""

    def __init__(
        self,
        mocks: pulumi.runtime.Mocks,
        on_record: Callable[[ResourceRecord], None] | None = None,
    ) -> None:
        super().__init__(mocks)
        self.records: list[ResourceRecord] = []
        self._on_record = on_record
        """Told of each resource as it registers, as the engine hands it to Analyze."""
        self.duplicate_urns: list[str] = []
        """URNs registered twice, which the SDK's mock accepts and the engine refuses."""
        self._urns: set[str] = set()
        # Registrations run on the SDK's thread pool: two with one URN may arrive at once.
        self._urns_lock = threading.Lock()

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The engine's URN: under a parent other than the root stack, the parent's whole
        qualified type chain before the type (pkg/v3 resource/deploy/deployment.go
        generateURN); the SDK's mock keeps only the parent's last type, so a resource two
        components deep got a URN the real CLI never gives it (found by make e2e)."""
        if parent:
            qualified = parent.split("::")[2]
            if qualified != "pulumi:pulumi:Stack":
                type_ = f"{qualified}${type_}"
        stack = pulumi.get_stack()
        return "urn:pulumi:" + "::".join([stack, pulumi.get_project(), type_, name])

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        with self._urns_lock:
            if urn in self._urns:
                self.duplicate_urns.append(urn)
            self._urns.add(urn)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        # What the mocks do not compute is unknown, as `pulumi preview` leaves what the provider
        # computes (a v1 service's `statuses`), never None: the SDK resolves a registration's
        # missing outputs as unknown when the engine says its result is unknown.
        response.unknown = True
        outputs = struct_pb2.Struct()
        outputs.CopyFrom(response.object)
        secret_keys = set(request.additionalSecretOutputs) | {
            key for key, value in request.object.items() if sdk.is_secret(value)
        }
        for key in secret_keys & set(outputs.keys()):
            if not sdk.is_secret(outputs[key]):
                outputs[key] = sdk.wrap_secret(outputs[key])
        record = ResourceRecord(
            type=request.type,
            name=request.name,
            urn=response.urn,
            parent=request.parent,
            dependencies=list(request.dependencies),
            property_dependencies={
                key: list(deps.urns) for key, deps in request.propertyDependencies.items()
            },
            provider=request.provider,
            custom=bool(request.custom),
            inputs=request.object,
            outputs=outputs,
            source=source_of(request),
            protect=bool(request.protect),
        )
        self.records.append(record)
        if self._on_record is not None:
            self._on_record(record)
        return response


def source_of(request: Any) -> tuple[Path, int] | None:
    """The file and line of a registration's `sourcePosition` (a file URI), if it has one."""
    if not request.HasField("sourcePosition"):
        return None
    position = request.sourcePosition
    uri = urlparse(position.uri)
    if uri.scheme != "file" or not uri.path or position.line < 1:
        return None
    return Path(unquote(uri.path)), int(position.line)


def engine_config(config: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Config as the engine hands it to a program: strings, structured values as JSON.

    Encrypted (`secure:`) values cannot be decrypted without the stack's secrets provider, so they
    are left out; the program then generates what it needs. Their keys are returned.
    """
    plain: dict[str, str] = {}
    skipped: list[str] = []
    for key, value in config.items():
        if _encrypted(value):
            skipped.append(key)
        elif isinstance(value, str):
            plain[key] = value
        else:
            plain[key] = json.dumps(value)
    return plain, skipped


def _encrypted(value: Any) -> bool:
    """Whether a config value holds a `secure:` ciphertext anywhere (set with --secret --path)."""
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_encrypted(v) for v in value.values())
    if isinstance(value, list):
        return any(_encrypted(v) for v in value)
    return False


def run_program(
    project_dir: Path,
    pulumi_project: str,
    stack: str,
    config: dict[str, Any],
    gcp_project: str,
    region: str,
    on_record: Callable[[ResourceRecord], None] | None = None,
    secret_unknowns: bool = False,
) -> Recording:
    """Run `project_dir/__main__.py` for `stack` under the mock runtime; raise what it raises.
    `on_record` hears of each resource as it registers. With `secret_unknowns`, an encrypted
    config value is a secret unknown to the program's secret getters (`require_secret`), as a
    `pulumi preview` without its plaintext would leave it, instead of being left out."""
    monitor = RecordingMonitor(GcpMocks(gcp_project, region), on_record)
    plain, encrypted = engine_config(config)
    if secret_unknowns:
        plain.update(dict.fromkeys(encrypted, sdk.NOT_DECRYPTED))
    pulumi.runtime.set_all_config(plain, encrypted if secret_unknowns else [])
    sdk.ensure_event_loop()
    sdk.fresh_root_stack()
    pulumi.runtime.set_mocks(
        monitor.mocks, project=pulumi_project, stack=stack, preview=False, monitor=monitor
    )
    root = pulumi.runtime.get_root_resource()
    provenance.reset()
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))

    def program() -> None:
        runpy.run_path(str(project_dir / "__main__.py"))

    with sdk.secret_unknowns(set(encrypted) if secret_unknowns else set()):
        sdk.run_to_completion(run_pulumi_func(program))
    if monitor.duplicate_urns:
        raise DuplicateUrnError(monitor.duplicate_urns)
    # The root is the SDK's Stack (typed as a bare Resource), which holds the exports.
    exported = dict(getattr(root, "outputs", {})) if root is not None else {}
    values, secrets = sdk.run_to_completion(_resolve(exported))
    return Recording(monitor.records, values, secrets, encrypted, provenance.collected())


async def _resolve(exported: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    values: dict[str, Any] = {}
    secrets: set[str] = set()
    for key, value in exported.items():
        output = pulumi.Output.from_input(value)
        values[key] = await output.future(with_unknowns=True)
        if await output.is_secret():
            secrets.add(key)
    return values, secrets

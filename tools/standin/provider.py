"""A stand-in `gcp` or `random` resource provider for the real Pulumi engine, with no cloud.

`python -m tools.standin.provider gcp|random ENGINE_ADDRESS` serves the engine's provider gRPC
protocol (the SDK's own stubs, as pulumi/pulumi's tests/testprovider-py does) and prints its port,
as every plugin does. Outputs come from the offline preview's mocks (`conduit.preview.mocks`: one
definition of what Google answers), state lives in `tools.standin.project`, and Create refuses a
reference (`conduit.core.references`) to a stack resource that is not created yet with GCP's 404,
so the engine's real parallelism shows every race. Delete refuses what deletion protection
guards, with the Terraform provider's words. Secret values are kept in the project's file as
Secret Manager keeps them (the engine's state holds them encrypted). The plugin version is the
one the installed SDK package requests (its pulumi-plugin.json), so the engine loads this in its
place.
"""

from __future__ import annotations

import json
import os
import sys
from concurrent import futures
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc
import pulumi
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from conduit.core.references import BY_SOURCE, key_of, named, project_named, values_at
from conduit.preview.mocks import GcpMocks
from tools.standin.project import Project, entry

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's sentinel for a value not known at preview (sdk/go/common/resource/plugin)."""

PROTECTED: dict[str, str] = {
    # terraform-provider-google: resource_sql_database_instance.go (Delete)
    "gcp:sql/databaseInstance:DatabaseInstance": "Error, failed to delete instance because "
    "deletion_protection is set to true. Set it to false to proceed with instance deletion",
    # terraform-provider-google: resource_cloud_run_v2_service.go (pre_delete)
    "gcp:cloudrunv2/service:Service": "cannot destroy service without setting "
    "deletion_protection=false and running `terraform apply`",
}


def plugin_version(package: str) -> str:
    """The version the installed `pulumi_<package>` requests of its provider plugin."""
    text = resources.files(f"pulumi_{package}").joinpath("pulumi-plugin.json").read_text()
    return json.loads(text)["version"]


def to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct)


def to_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def urn_parts(urn: str) -> tuple[str, str]:
    """The resource type and name a URN holds (`urn:pulumi:S::P::parent$type::name`)."""
    _, _, qualified, name = urn.split("::", 3)
    return qualified.rsplit("$", 1)[-1], name


def known(value: Any) -> bool:
    return isinstance(value, str) and value != UNKNOWN


class Provider(provider_pb2_grpc.ResourceProviderServicer):
    def __init__(self, package: str, directory: Path) -> None:
        self.package = package
        self.directory = directory
        self.version = plugin_version(package)
        self.project = ""
        self.mocks = GcpMocks("", "")

    def _project(self) -> Project:
        return Project(self.directory, self.project)

    def GetPluginInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> Any:
        return plugin_pb2.PluginInfo(version=self.version)

    def CheckConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        return provider_pb2.DiffResponse(changes=provider_pb2.DiffResponse.DIFF_NONE)

    def Configure(self, request: Any, context: grpc.ServicerContext) -> Any:
        args = to_dict(request.args)
        variables = dict(request.variables)
        self.project = args.get("project") or variables.get(f"{self.package}:config:project", "")
        region = args.get("region") or variables.get(f"{self.package}:config:region", "")
        self.mocks = GcpMocks(self.project, region)
        # Secrets arrive plain and the engine marks outputs of secret inputs secret again.
        return provider_pb2.ConfigureResponse(acceptSecrets=False, supportsPreview=False)

    def Invoke(self, request: Any, context: grpc.ServicerContext) -> Any:
        call = SimpleNamespace(token=request.tok, args=to_dict(request.args))
        result, _failures = self.mocks.call(call)  # type: ignore[arg-type]
        return provider_pb2.InvokeResponse(**{"return": to_struct(result)})

    def Check(self, request: Any, context: grpc.ServicerContext) -> Any:
        resource_type, _ = urn_parts(request.urn)
        try:
            # The short name it will have: a bridged provider autonames in Check (`name-1a2b3c4`).
            key = key_of(resource_type, self._outputs(request.urn, to_dict(request.news))[1])
        except (KeyError, TypeError, ValueError, AttributeError):
            key = None  # inputs the mocks cannot shape before the values are known
        if known(key):
            with self._project().state() as state:
                if entry(resource_type, key) not in state["declared"]:
                    state["declared"].append(entry(resource_type, key))
        return provider_pb2.CheckResponse(inputs=request.news)

    def Diff(self, request: Any, context: grpc.ServicerContext) -> Any:
        olds = to_dict(request.old_inputs) if request.HasField("old_inputs") else {}
        news = to_dict(request.news)
        changed = sorted(k for k in olds.keys() | news.keys() if olds.get(k) != news.get(k))
        if not changed:
            return provider_pb2.DiffResponse(changes=provider_pb2.DiffResponse.DIFF_NONE)
        return provider_pb2.DiffResponse(changes=provider_pb2.DiffResponse.DIFF_SOME, diffs=changed)

    def _outputs(self, urn: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        resource_type, name = urn_parts(urn)
        args = pulumi.runtime.MockResourceArgs(resource_type, name, inputs, "", None, True)
        return self.mocks.new_resource(args)

    def _missing(self, resource_type: str, inputs: dict[str, Any], state: dict) -> str | None:
        """GCP's 404 for the first reference to a declared resource not created yet."""
        existing = {(r["type"], r["key"]) for r in state["existing"].values()}
        for reference in BY_SOURCE.get(resource_type, ()):
            for value in values_at(inputs, reference.field):
                if not isinstance(value, str):
                    continue
                other = project_named(value)
                if other and other != self.project:
                    continue
                for name in named(value, reference.form):
                    for target in reference.targets:
                        declared = entry(target, name) in state["declared"]
                        if declared and (target, name) not in existing:
                            return (
                                f"googleapi: Error 404: {target} {name!r} was not found in "
                                f"project {self.project!r} ({reference.field} names it; "
                                "stand-in provider: it is declared but not created yet)"
                            )
        return None

    def Create(self, request: Any, context: grpc.ServicerContext) -> Any:
        resource_type, _ = urn_parts(request.urn)
        inputs = to_dict(request.properties)
        with self._project().state() as state:
            missing = self._missing(resource_type, inputs, state)
            if missing:
                context.abort(grpc.StatusCode.NOT_FOUND, missing)
            resource_id, outputs = self._outputs(request.urn, inputs)
            state["existing"][request.urn] = {
                "id": resource_id,
                "type": resource_type,
                "key": key_of(resource_type, outputs),
                "inputs": inputs,
                "outputs": outputs,
            }
        return provider_pb2.CreateResponse(id=resource_id, properties=to_struct(outputs))

    def Read(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self._project().state() as state:
            record = state["existing"].get(request.urn)
        if record is None or record["id"] != request.id:
            return provider_pb2.ReadResponse(id="")
        return provider_pb2.ReadResponse(
            id=request.id,
            properties=to_struct(record["outputs"]),
            inputs=to_struct(record["inputs"]),
        )

    def Update(self, request: Any, context: grpc.ServicerContext) -> Any:
        resource_type, _ = urn_parts(request.urn)
        inputs = to_dict(request.news)
        with self._project().state() as state:
            missing = self._missing(resource_type, inputs, state)
            if missing:
                context.abort(grpc.StatusCode.NOT_FOUND, missing)
            _, outputs = self._outputs(request.urn, inputs)
            state["existing"][request.urn] = {
                "id": request.id,
                "type": resource_type,
                "key": key_of(resource_type, outputs),
                "inputs": inputs,
                "outputs": outputs,
            }
        return provider_pb2.UpdateResponse(properties=to_struct(outputs))

    def Delete(self, request: Any, context: grpc.ServicerContext) -> Any:
        resource_type, _ = urn_parts(request.urn)
        if to_dict(request.properties).get("deletionProtection") and resource_type in PROTECTED:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, PROTECTED[resource_type])
        with self._project().state() as state:
            state["existing"].pop(request.urn, None)
        return empty_pb2.Empty()

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> Any:
        return empty_pb2.Empty()


def main(argv: list[str]) -> int:
    package = argv[0]
    directory = Path(os.environ["CONDUIT_STANDIN_PROJECTS"])
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(Provider(package, directory), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

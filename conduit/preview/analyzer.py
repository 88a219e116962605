"""Drive a policy pack over Pulumi's analyzer gRPC protocol, the way the engine does."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2

from conduit.core.violation import STRUCTURED_ENV
from conduit.preview.runner import ResourceRecord

STARTUP_TIMEOUT_SECONDS = 30
GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]


class PackError(RuntimeError):
    """The pack failed to start or to answer; carries what it printed."""


@dataclass
class PackProcess:
    """A started policy pack; connects on first use, so the pack boots while the caller works."""

    process: subprocess.Popen[bytes]
    stderr: list[str]
    directory: Path = Path()
    _channel: grpc.Channel | None = None
    _stub: analyzer_pb2_grpc.AnalyzerStub | None = None

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is None:
            port = _read_port(self.process, self.stderr)
            self._channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=GRPC_OPTIONS)
            grpc.channel_ready_future(self._channel).result(timeout=STARTUP_TIMEOUT_SECONDS)
            self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        return self._stub

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()


def pack_python(pack_dir: Path) -> str:
    """The interpreter the CLI would use: the virtualenv named in PulumiPolicy.yaml, if present."""
    import yaml

    manifest = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    runtime = manifest.get("runtime")
    options = runtime.get("options", {}) if isinstance(runtime, dict) else {}
    venv = options.get("virtualenv")
    if venv:
        # Not resolve(): the venv's python is a symlink, and following it leaves the venv.
        candidate = os.path.abspath(pack_dir / venv / "bin" / "python")
        if os.path.exists(candidate):
            return candidate
    return sys.executable


@contextmanager
def running_pack(pack_dir: Path, engine_address: str = "127.0.0.1:0") -> Iterator[PackProcess]:
    """Start `python -u -m pulumi.policy <engine> <pack-dir>`; the first call connects to the port
    it prints (PackError, with what the pack printed, when it never does)."""
    pack_dir = Path(os.path.abspath(pack_dir))
    if not (pack_dir / "PulumiPolicy.yaml").is_file():
        raise PackError(f"{pack_dir}: no PulumiPolicy.yaml: not a policy pack")
    process = subprocess.Popen(
        [pack_python(pack_dir), "-u", "-m", "pulumi.policy", engine_address, str(pack_dir)],
        cwd=pack_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # STRUCTURED_ENV: each violation also carries its facts as data (conduit.core.violation).
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", STRUCTURED_ENV: "1"},
    )
    stderr: list[str] = []
    drain = threading.Thread(target=_drain, args=(process.stderr, stderr), daemon=True)
    drain.start()
    pack = PackProcess(process, stderr, pack_dir)
    try:
        yield pack
    finally:
        # The pack first: closing a channel to a live server waits on it (~0.2 s measured).
        process.kill()
        process.wait()
        pack.close()
        drain.join(timeout=5)


def _drain(stream, sink: list[str]) -> None:
    for line in iter(stream.readline, b""):
        sink.append(line.decode(errors="replace"))


def _read_port(process: subprocess.Popen[bytes], stderr: list[str]) -> int:
    result: list[bytes] = []
    stdout = process.stdout
    assert stdout is not None, "the pack is started with stdout=PIPE"
    reader = threading.Thread(target=lambda: result.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(STARTUP_TIMEOUT_SECONDS)
    line = result[0].strip() if result else b""
    if not line.isdigit():
        process.kill()
        process.wait()
        printed = "".join(stderr).strip() or line.decode(errors="replace")
        raise PackError(f"the policy pack did not start:\n{printed}")
    return int(line)


def get_info(pack: PackProcess) -> analyzer_pb2.AnalyzerInfo:
    return pack.stub.GetAnalyzerInfo(empty_pb2.Empty())


def get_plugin_info(pack: PackProcess) -> plugin_pb2.PluginInfo:
    return pack.stub.GetPluginInfo(empty_pb2.Empty())


def configure(pack: PackProcess, config: dict[str, analyzer_pb2.PolicyConfig]) -> None:
    pack.stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=config))


def _options(record: ResourceRecord) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(parent=record.parent)


def _analyze_request(record: ResourceRecord) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=record.type,
        properties=record.inputs,
        urn=record.urn,
        name=record.name,
        options=_options(record),
    )


def analyze(pack: PackProcess, record: ResourceRecord) -> analyzer_pb2.AnalyzeResponse:
    """One resource's inputs, as `pulumi preview` sends them before each step."""
    return pack.stub.Analyze(_analyze_request(record))


def _analyze_stack_request(records: Iterable[ResourceRecord]) -> analyzer_pb2.AnalyzeStackRequest:
    resources = [
        analyzer_pb2.AnalyzerResource(
            type=record.type,
            properties=record.outputs,
            urn=record.urn,
            name=record.name,
            options=_options(record),
            parent=record.parent,
            dependencies=record.dependencies,
            propertyDependencies={
                key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
                for key, urns in record.property_dependencies.items()
            },
        )
        for record in records
    ]
    return analyzer_pb2.AnalyzeStackRequest(resources=resources)


def analyze_stack(
    pack: PackProcess, records: Iterable[ResourceRecord]
) -> analyzer_pb2.AnalyzeResponse:
    """Every resource's state with parents and dependencies, as sent once the plan is complete."""
    return pack.stub.AnalyzeStack(_analyze_stack_request(records))


PolicyConfigs = dict[str, analyzer_pb2.PolicyConfig]


def _culprit(
    pack: PackProcess,
    config: PolicyConfigs,
    policies: Iterable[analyzer_pb2.PolicyInfo],
    call: Callable[[], object],
) -> str | None:
    """The policy that raises when it runs alone, found by enabling one policy at a time: the
    protocol's error names no policy. None when none raises alone."""
    off = analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.DISABLED)
    for policy in policies:
        alone = {name: off for name in config} | {policy.name: config[policy.name]}
        configure(pack, alone)
        try:
            call()
        except grpc.RpcError:
            return policy.name
    return None


def pack_failure(
    pack: PackProcess,
    info: analyzer_pb2.AnalyzerInfo,
    config: PolicyConfigs,
    error: grpc.RpcError,
    subject: str,
    call: Callable[[], object],
    policy_type: int,
) -> PackError:
    """One line for a pack that raised outside its rules' safety net: the pack, the policy, the
    resource (or the stack) and what the pack said."""
    details = error.details() if hasattr(error, "details") else str(error)
    candidates = [p for p in info.policies if p.policy_type == policy_type and p.name in config]
    try:
        culprit = _culprit(pack, config, candidates, call)
    except grpc.RpcError:
        culprit = None
    policy = f"policy {culprit}" if culprit else "a policy (none raised alone)"
    version = f"@{info.version}" if info.version else ""
    return PackError(
        f"the policy pack {info.name}{version} ({pack.directory}) failed: {policy} raised on "
        f"{subject}: {' '.join(str(details).split())}"
    )


class ResourceAnalysis:
    """Analyze each resource while the program is still registering the rest, as the engine does
    during `pulumi preview`: the pack works on the other core instead of after the program.

    The first resource waits for the pack's info and configures it (`configure_pack`); each
    resource's Analyze then goes out without waiting for its answer. `finish` collects the
    answers and raises what went wrong.
    """

    def __init__(
        self, pack: PackProcess, config_of: Callable[[analyzer_pb2.AnalyzerInfo], PolicyConfigs]
    ) -> None:
        self._pack = pack
        self._config_of = config_of
        self.config: PolicyConfigs = {}
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[analyzer_pb2.AnalyzeRequest, grpc.Future]] = {}
        self._error: BaseException | None = None
        self.info: analyzer_pb2.AnalyzerInfo | None = None

    def _ready(self) -> bool:
        """Configure the pack once; False when that failed (finish raises why)."""
        with self._lock:
            if self.info is None and self._error is None:
                try:
                    info = get_info(self._pack)
                    self.config = self._config_of(info)
                    configure(self._pack, self.config)
                    self.info = info
                except BaseException as error:  # noqa: BLE001 raised again by finish
                    self._error = error
            return self._error is None

    def submit(self, record: ResourceRecord) -> None:
        """A resource the program registered; only what a provider creates is analyzed."""
        if record.custom and self._ready():
            request = _analyze_request(record)
            self._pending[record.urn] = (request, self._pack.stub.Analyze.future(request))

    def finish(self) -> tuple[analyzer_pb2.AnalyzerInfo, dict[str, analyzer_pb2.AnalyzeResponse]]:
        """The pack's info and each resource's answer, by URN."""
        self._ready()
        if self._error is not None:
            raise self._error
        if self.info is None:
            raise PackError("the pack's analysis ended before it answered GetAnalyzerInfo")
        answers = {}
        for urn, (request, future) in self._pending.items():
            try:
                answers[urn] = future.result()
            except grpc.RpcError as error:
                self.stop()
                raise pack_failure(
                    self._pack,
                    self.info,
                    self.config,
                    error,
                    urn,
                    lambda request=request: self._pack.stub.Analyze(request),  # type: ignore[misc]
                    analyzer_pb2.POLICY_TYPE_RESOURCE,
                ) from None
        return self.info, answers

    def analyze_stack(self, records: list[ResourceRecord]) -> analyzer_pb2.AnalyzeResponse:
        """AnalyzeStack once every resource is answered; a pack error is a PackError."""
        request = _analyze_stack_request(records)
        try:
            return self._pack.stub.AnalyzeStack(request)
        except grpc.RpcError as error:
            assert self.info is not None
            raise pack_failure(
                self._pack,
                self.info,
                self.config,
                error,
                "the stack",
                lambda: self._pack.stub.AnalyzeStack(request),
                analyzer_pb2.POLICY_TYPE_STACK,
            ) from None

    def stop(self) -> None:
        """Cancel what was not answered yet."""
        for _, future in self._pending.values():
            future.cancel()

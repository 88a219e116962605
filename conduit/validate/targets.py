"""What to validate: from the stack's outputs (`pulumi stack output --json --show-secrets`), an
outputs file, or explicit flags; thresholds from the stack's successCriteria."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conduit.core import files
from conduit.core.settings import StackSettings, SuccessCriteria
from conduit.validate.outputs import OutputsError, ServiceOutputs, StackOutputs, parse_outputs


class TargetsError(ValueError):
    """Targets that cannot be read: names the source and the key; never echoes secrets."""


class NoPulumiCliError(TargetsError):
    """`--stack` without `--outputs` on a machine without the Pulumi CLI."""


@dataclass(frozen=True)
class ServiceTarget:
    """One Cloud Run service of the stack: its name (for Google's APIs), its URL (for its health
    endpoints); either may be unknown."""

    name: str | None
    url: str | None = None
    health_endpoints: tuple[str, ...] = ("/health",)


@dataclass(frozen=True)
class Targets:
    """Everything the checks may need; any of it may be missing, and checks skip what they lack."""

    stack: str
    criteria: SuccessCriteria
    services: tuple[ServiceTarget, ...] = ()
    dsn: str | None = field(default=None, repr=False)
    dsn_ca: str | None = field(default=None, repr=False)
    """The database server's CA (PEM text, `--dsn-ca`): the DSN's server is verified with it."""
    redis_url: str | None = field(default=None, repr=False)
    """A Redis URL reachable from here (`--redis-url`); never from the outputs."""
    redis_ca: str | None = None
    """The Redis server's CA (`--redis-ca`), for a rediss:// URL."""
    redis_host: str | None = None
    """The stack's Redis (`redisHost`): the probe job reaches it inside the VPC."""
    project: str | None = None
    region: str | None = None
    connector_id: str | None = None
    subnet_id: str | None = None
    """The Direct VPC subnet (`projects/.../subnetworks/...`) of a stack on Direct VPC egress."""
    egress_path: str | None = None
    """`connector` or `direct`: how the services and the probe job reach the VPC."""
    secret_ids: dict[str, str] = field(default_factory=dict)
    sql_connection_name: str | None = None
    """`project:region:instance` of the Cloud SQL instance."""
    probe_job: str | None = None
    """The stack's probe job (`projects/.../jobs/...`): the storm through the real connector."""
    settings: StackSettings | None = None
    source: str = "flags"

    def lacks(self, key: str) -> str:
        """Where `key` would have been read from, said as missing ("the outputs file o.json has
        no probeJob"), for a skip's reason."""
        if self.source.startswith("stack "):
            return f"the outputs of {self.source} have no {key}"
        if self.source == "flags" or self.source.endswith(" and flags"):
            return f"no stack outputs were read (--outputs or --stack), so no {key}"
        return f"the outputs file {self.source} has no {key}"

    def missing(self, **keys: object) -> str:
        """The skip reason for every absent key of `keys` (output name -> value): "the outputs
        file o.json has no project, region" (empty when none is absent)."""
        absent = [key for key, value in keys.items() if not value]
        return self.lacks(", ".join(absent)) if absent else ""

    @property
    def has_redis(self) -> bool:
        """Whether the stack (or the flags) has a Redis the services depend on."""
        return bool(self.redis_url or self.redis_host or (self.settings and self.settings.redis))


def stack_outputs(stack: str, cwd: Path) -> dict[str, Any]:
    """`pulumi stack output --json --show-secrets` for `stack`."""
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise NoPulumiCliError(
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
        return _json_object(files.read_text(path), str(path))
    except files.UnreadableFileError as error:
        raise TargetsError(f"--outputs: {error}") from None


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
    """Targets from stack outputs, validated first (TargetsError: one line per problem). No DSN:
    the private IP is reachable only inside the VPC, where the probe job measures; `--dsn`
    gives one that is reachable from here."""
    try:
        given = parse_outputs(outputs, source)
    except OutputsError as error:
        raise TargetsError(str(error)) from None
    return Targets(
        stack=stack,
        criteria=given.success_criteria or SuccessCriteria(),
        services=_services(given, settings),
        project=given.project or (settings.project if settings else None),
        region=given.region or (settings.region if settings else None),
        connector_id=given.connector_id,
        subnet_id=given.subnet_id,
        egress_path=_egress_path(given, settings),
        secret_ids=dict(given.secret_ids or {}),
        probe_job=given.probe_job or _probe_job(settings),
        sql_connection_name=given.sql_connection_name,
        redis_host=given.redis_host,
        settings=settings,
        source=source,
    )


def _services(given: StackOutputs, settings: StackSettings | None) -> tuple[ServiceTarget, ...]:
    """Every service: from the `services` output (name -> url, healthEndpoints), else a
    one-service stack's `serviceName`/`serviceUrl`, else the stack file's services. Health
    endpoints the outputs leave out come from the stack file."""
    declared = {s.name: s for s in settings.services.values()} if settings else {}
    if given.services:
        entries = {name: entry or ServiceOutputs() for name, entry in given.services.items()}
    elif given.service_name or given.service_url:
        entries = {
            # None: a service known by its URL alone (--service-url).
            given.service_name: ServiceOutputs(  # type: ignore[dict-item]
                url=given.service_url, healthEndpoints=given.health_endpoints
            )
        }
    else:
        entries = {name: ServiceOutputs() for name in declared}
    services = []
    for name, entry in entries.items():
        endpoints = entry.health_endpoints or (
            declared[name].health_endpoints if name in declared else ("/health",)
        )
        services.append(ServiceTarget(name, entry.url, tuple(endpoints)))
    return tuple(services)


def _egress_path(given: StackOutputs, settings: StackSettings | None) -> str | None:
    """The stack's egress path: its `egressPath` output, else its stack file, else a connector
    if the outputs name one (outputs from before egressPath)."""
    if given.egress_path:
        return given.egress_path
    if settings is not None:
        return settings.network.egress
    return "connector" if given.connector_id else None


def _probe_job(settings: StackSettings | None) -> str | None:
    """The probe job's full name, as the stack file declares it."""
    job = settings.probe_job_name if settings else None
    if settings is None or job is None:
        return None
    return f"projects/{settings.project}/locations/{settings.region}/jobs/{job}"


def with_service_urls(targets: Targets, given: list[str]) -> Targets:
    """`--service-url URL` (one service) or `--service-url NAME=URL` (each named service)."""
    services = list(targets.services)
    for value in given:
        name, _, url = value.rpartition("=") if "=" in value.split("://", 1)[0] else ("", "", value)
        if not url.startswith(("http://", "https://")):
            raise TargetsError(f"--service-url: {value!r} must start with http:// or https://")
        if name:
            index = next((i for i, s in enumerate(services) if s.name == name), None)
            if index is None:
                known_names = ", ".join(str(s.name) for s in services) or "none"
                raise TargetsError(
                    f"--service-url: no service {name!r} in the stack (services: {known_names})"
                )
            services[index] = dataclasses.replace(services[index], url=url)
        elif len(services) > 1:
            names = ", ".join(str(s.name) for s in services)
            raise TargetsError(
                f"--service-url: the stack has several services ({names}); give NAME=URL"
            )
        elif services:
            services[0] = dataclasses.replace(services[0], url=url)
        else:
            services.append(ServiceTarget(None, url))
    return dataclasses.replace(targets, services=tuple(services))

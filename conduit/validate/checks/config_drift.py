"""config-drift: the deployed egress path (connector or Direct VPC), services and database match
the stack's settings."""

from __future__ import annotations

from typing import Any

from conduit.core.check_ids import CheckId
from conduit.core.failures import FailureClass
from conduit.core.settings import ConnectorSettings, NetworkSettings, ServiceSettings
from conduit.report.model import Finding, Outcome
from conduit.validate import deployed
from conduit.validate.checks.service_ready import service_names
from conduit.validate.context import Context, skipped
from conduit.validate.google import api_failure

ID = CheckId.CONFIG_DRIFT
DESCRIPTION = "The deployed egress path, services and database equal the stack's settings."
ROLES = ("roles/run.viewer", "roles/vpcaccess.viewer", "roles/cloudsql.viewer")
"""What the validator's account needs for this check."""


def _drift(subject: str, pairs: deployed.Pairs) -> list[str]:
    return [
        f"{subject} {key}: deployed {actual!r}, declared {declared!r}"
        for key, actual, declared in deployed.differences(pairs)
    ]


def _egress(template: Any) -> tuple[str | None, str | None]:
    """A deployed revision's way into the VPC: ("direct", its subnet's name) for a network
    interface, ("connector", its name) for a connector, (None, None) for neither."""
    access = template.vpc_access
    if access.network_interfaces:
        interface = access.network_interfaces[0]
        return "direct", (interface.subnetwork or interface.network).rsplit("/", 1)[-1]
    if access.connector:
        return "connector", access.connector.rsplit("/", 1)[-1]
    return None, None


def _declared_egress(network: NetworkSettings) -> tuple[str, str | None]:
    block = network.subnet if network.egress == "direct" else network.connector
    return network.egress, block.name if block else None


def _service_drift(
    ctx: Context, name: str, settings: ServiceSettings, network: NetworkSettings
) -> list[str]:
    template = deployed.service(ctx, name).template
    container = template.containers[0] if template.containers else None
    env = {e.name: e.value for e in container.env} if container else {}
    timeout = int(template.timeout.total_seconds()) if template.timeout else None
    egress = type(template.vpc_access).VpcEgress(template.vpc_access.egress).name
    path, through = _egress(template)
    declared_path, declared_through = _declared_egress(network)
    # The app's own contract against the env the deployed revision really gets.
    missing = [
        f"service {settings.name} requiredEnv {env_name}: not set on the deployed revision"
        for env_name in settings.required_env
        if env_name not in env
    ]
    return missing + _drift(
        f"service {settings.name}",
        {
            "maxInstances": (template.scaling.max_instance_count, settings.max_instances),
            "minInstances": (template.scaling.min_instance_count, settings.min_instances),
            "concurrency": (template.max_instance_request_concurrency, settings.concurrency),
            "requestTimeoutSeconds": (timeout, settings.request_timeout_seconds),
            "egress": (egress, settings.egress),
            "egressPath": (path, declared_path),
            # The connector or the subnet it names, when the path is the declared one.
            ("subnet" if declared_path == "direct" else "connector"): (
                through if path == declared_path else declared_through,
                declared_through,
            ),
            "databasePool.size": (
                env.get("DATABASE_POOL_SIZE"),
                str(settings.database_pool.size),
            ),
            "databaseInitTimeoutSeconds": (
                env.get("DATABASE_INIT_TIMEOUT_SECONDS"),
                str(settings.database_init_timeout_seconds),
            ),
        },
    )


def _connector_drift(ctx: Context, wanted: ConnectorSettings) -> list[str]:
    connector = deployed.connector(ctx)
    return _drift(
        "connector",
        {
            **deployed.connector_sizing(connector, wanted),
            "ipCidrRange": (connector.ip_cidr_range, wanted.ip_cidr_range),
        },
    )


def _database_drift(ctx: Context) -> list[str]:
    if not ctx.targets.sql_connection_name:
        return []
    project, _, name = ctx.targets.sql_connection_name.split(":")
    instance = ctx.google.sqladmin.instances().get(project=project, instance=name).execute()
    live = instance.get("settings", {})
    backups = live.get("backupConfiguration", {})
    flags = {f.get("name"): f.get("value") for f in live.get("databaseFlags", [])}
    assert ctx.targets.settings is not None, "run only with the stack file's settings"
    wanted = ctx.targets.settings.database
    declared_max = str(wanted.max_connections) if wanted.max_connections is not None else None
    pairs = {
        "tier": (live.get("tier"), wanted.tier),
        "availability": (live.get("availabilityType"), wanted.availability),
        "maxConnections": (flags.get("max_connections"), declared_max),
        "backups.enabled": (backups.get("enabled"), wanted.backups.enabled),
        "backups.pointInTimeRecovery": (
            backups.get("pointInTimeRecoveryEnabled"),
            wanted.backups.point_in_time_recovery,
        ),
        "deletionProtection": (
            live.get("deletionProtectionEnabled"),
            wanted.deletion_protection,
        ),
        "ipv4Enabled": (live.get("ipConfiguration", {}).get("ipv4Enabled"), False),
    }
    return _drift("database", pairs)


def run(ctx: Context) -> list[Finding]:
    settings = ctx.targets.settings
    names = service_names(ctx)
    deployed_path = ctx.targets.connector_id or ctx.targets.subnet_id
    if settings is None or not names or not deployed_path:
        t = ctx.targets
        reason = "no stack file: give --stack (Pulumi.<stack>.yaml holds what is declared)"
        if settings is not None:
            path = "subnetId" if settings.network.egress == "direct" else "connectorId"
            reason = t.missing(
                project=t.project,
                region=t.region,
                services=any(s.name for s in t.services),
                **{path: deployed_path},
            )
        return skipped(ID, reason)
    declared = {s.name: s for s in settings.services.values()}
    try:
        drift = [
            line
            for name in names
            if (service := declared.get(name.rsplit("/", 1)[-1])) is not None
            for line in _service_drift(ctx, name, service, settings.network)
        ]
        if ctx.targets.connector_id and settings.network.connector is not None:
            drift += _connector_drift(ctx, settings.network.connector)
        drift += _database_drift(ctx)
    except Exception as error:  # noqa: BLE001 an API failure is a classified finding
        return [api_failure(ID, error, roles=ROLES)]
    if drift:
        return [
            Finding(
                rule=ID,
                outcome=Outcome.FAIL,
                severity="high",
                classification=FailureClass.CONFIGURATION,
                message="; ".join(drift),
                evidence=tuple(drift),
                remediation="Run pulumi up from the committed stack file, or commit the change.",
            )
        ]
    path = "Direct VPC egress" if settings.network.egress == "direct" else "connector"
    return [
        Finding(
            rule=ID, outcome=Outcome.PASS, message=f"{path}, service and database match the stack"
        )
    ]

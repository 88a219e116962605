"""config-drift: the deployed connector, service and database match the stack's settings."""

from __future__ import annotations

from conduit.report.model import Finding, Outcome
from conduit.validate.checks.service_ready import service_name
from conduit.validate.context import Context, skipped
from conduit.validate.google import api_failure

ID = "config-drift"
DESCRIPTION = "The deployed connector, service and database equal the stack's settings."


def _service_drift(ctx: Context, name: str) -> list[str]:
    settings = ctx.targets.settings.service
    service = ctx.google.services.get_service(name=name, timeout=ctx.google.timeout)
    template = service.template
    container = template.containers[0] if template.containers else None
    env = {e.name: e.value for e in container.env} if container else {}
    actual = {
        "maxInstances": template.scaling.max_instance_count,
        "minInstances": template.scaling.min_instance_count,
        "concurrency": template.max_instance_request_concurrency,
        "requestTimeoutSeconds": int(template.timeout.total_seconds())
        if template.timeout
        else None,
        "egress": type(template.vpc_access).VpcEgress(template.vpc_access.egress).name,
        "databasePool.size": env.get("DATABASE_POOL_SIZE"),
        "databaseInitTimeoutSeconds": env.get("DATABASE_INIT_TIMEOUT_SECONDS"),
    }
    declared = {
        "maxInstances": settings.max_instances,
        "minInstances": settings.min_instances,
        "concurrency": settings.concurrency,
        "requestTimeoutSeconds": settings.request_timeout_seconds,
        "egress": settings.egress,
        "databasePool.size": str(settings.database_pool.size),
        "databaseInitTimeoutSeconds": str(settings.database_init_timeout_seconds),
    }
    return [
        f"service {key}: deployed {actual[key]!r}, declared {declared[key]!r}"
        for key in declared
        if actual[key] != declared[key]
    ]


def _connector_drift(ctx: Context) -> list[str]:
    wanted = ctx.targets.settings.network.connector
    connector = ctx.google.connectors.get_connector(
        name=ctx.targets.connector_id, timeout=ctx.google.timeout
    )
    pairs = {
        "machineType": (connector.machine_type, wanted.machine_type),
        "minInstances": (connector.min_instances, wanted.min_instances),
        "maxInstances": (connector.max_instances, wanted.max_instances),
        "ipCidrRange": (connector.ip_cidr_range, wanted.ip_cidr_range),
    }
    return [
        f"connector {key}: deployed {actual!r}, declared {declared!r}"
        for key, (actual, declared) in pairs.items()
        if actual != declared
    ]


def _database_drift(ctx: Context) -> list[str]:
    if not ctx.targets.sql_connection_name:
        return []
    project, _, name = ctx.targets.sql_connection_name.split(":")
    instance = ctx.google.sqladmin.instances().get(project=project, instance=name).execute()
    deployed = instance.get("settings", {})
    backups = deployed.get("backupConfiguration", {})
    flags = {f.get("name"): f.get("value") for f in deployed.get("databaseFlags", [])}
    wanted = ctx.targets.settings.database
    declared_max = str(wanted.max_connections) if wanted.max_connections is not None else None
    pairs = {
        "tier": (deployed.get("tier"), wanted.tier),
        "availability": (deployed.get("availabilityType"), wanted.availability),
        "maxConnections": (flags.get("max_connections"), declared_max),
        "backups.enabled": (backups.get("enabled"), wanted.backups.enabled),
        "backups.pointInTimeRecovery": (
            backups.get("pointInTimeRecoveryEnabled"),
            wanted.backups.point_in_time_recovery,
        ),
        "deletionProtection": (
            deployed.get("deletionProtectionEnabled"),
            wanted.deletion_protection,
        ),
        "ipv4Enabled": (deployed.get("ipConfiguration", {}).get("ipv4Enabled"), False),
    }
    return [
        f"database {key}: deployed {actual!r}, declared {declared!r}"
        for key, (actual, declared) in pairs.items()
        if actual != declared
    ]


def run(ctx: Context) -> list[Finding]:
    name = service_name(ctx)
    if ctx.targets.settings is None or name is None or not ctx.targets.connector_id:
        return skipped(ID, "needs the stack's settings (--stack) and its outputs")
    try:
        drift = _service_drift(ctx, name) + _connector_drift(ctx) + _database_drift(ctx)
    except Exception as error:  # noqa: BLE001 an API failure is a classified finding
        return [api_failure(ID, error)]
    if drift:
        return [
            Finding(
                rule=ID,
                outcome=Outcome.FAIL,
                severity="high",
                classification="configuration",
                message="; ".join(drift),
                evidence=tuple(drift),
                remediation="Run pulumi up from the committed stack file, or commit the change.",
            )
        ]
    return [
        Finding(
            rule=ID, outcome=Outcome.PASS, message="connector, service and database match the stack"
        )
    ]

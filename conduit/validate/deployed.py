"""What is deployed, fetched once per run: checks that read the same resource share one call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conduit.core.settings import ConnectorSettings
from conduit.validate.context import Context

Pairs = dict[str, tuple[Any, Any]]
"""Field -> (deployed, declared)."""


def _once(ctx: Context, key: tuple[str, str | None], fetch: Callable[[], Any]) -> Any:
    # A failed call is not cached: each check reports its own failure.
    if key not in ctx.fetched:
        ctx.fetched[key] = fetch()
    return ctx.fetched[key]


def service(ctx: Context, name: str) -> Any:
    """The Cloud Run service (run_v2.Service)."""
    return _once(
        ctx,
        ("service", name),
        lambda: ctx.google.services.get_service(name=name, timeout=ctx.google.timeout),
    )


def connector(ctx: Context) -> Any:
    """The stack's VPC Access connector (vpcaccess_v1.Connector)."""
    name = ctx.targets.connector_id
    return _once(
        ctx,
        ("connector", name),
        lambda: ctx.google.connectors.get_connector(name=name, timeout=ctx.google.timeout),
    )


def connector_sizing(deployed: Any, wanted: ConnectorSettings) -> Pairs:
    """The connector fields the stack sizes, deployed against declared."""
    return {
        "machineType": (deployed.machine_type, wanted.machine_type),
        "minInstances": (deployed.min_instances, wanted.min_instances),
        "maxInstances": (deployed.max_instances, wanted.max_instances),
    }


def differences(pairs: Pairs) -> list[tuple[str, Any, Any]]:
    """(field, deployed, declared) for every field that differs, in order."""
    return [
        (key, actual, declared) for key, (actual, declared) in pairs.items() if actual != declared
    ]

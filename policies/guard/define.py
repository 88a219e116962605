"""Build CrossGuard policies from pure `check` functions, with the pack's safety net around them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from policies.guard.props import MalformedError, NotApplicableError

Config = Mapping[str, Any]
ResourceCheck = Callable[[Any, Config], Iterable[str]]
"""Yields one message per violation of one resource's properties."""


class StackResource(Protocol):
    """What a stack check sees of a resource (pulumi_policy.PolicyResource has all of it)."""

    resource_type: str
    props: Any
    urn: str
    dependencies: list[Any]


StackCheck = Callable[[Sequence[StackResource], Config], Iterable[tuple[str, str]]]
"""Yields (message, urn) per violation across the stack."""


def _schema(defaults: Config, schema: Mapping[str, Any]) -> PolicyConfigSchema | None:
    if not schema:
        return None
    properties = {
        key: {**spec, "default": defaults[key]} if key in defaults else dict(spec)
        for key, spec in schema.items()
    }
    return PolicyConfigSchema(properties=properties)


def _config(defaults: Config, given: Config | None) -> dict[str, Any]:
    # Config crosses the protocol as a protobuf Struct, where every number is a double.
    merged = {**defaults, **(given or {})}
    return {
        key: int(value) if isinstance(value, float) and value.is_integer() else value
        for key, value in merged.items()
    }


def resource_policy(
    *,
    name: str,
    description: str,
    resource_types: tuple[str, ...],
    check: ResourceCheck,
    severity: Severity,
    remediation: str,
    enforcement: EnforcementLevel = EnforcementLevel.MANDATORY,
    defaults: Config | None = None,
    schema: Mapping[str, Any] | None = None,
) -> ResourceValidationPolicy:
    """A resource policy: `check` runs only for `resource_types`, never raises out of the pack."""
    defaults = dict(defaults or {})

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in resource_types:
            return
        config = _config(defaults, args.get_config())
        _guarded(
            lambda: ((m, None) for m in check(args.props, config)),
            report,
            args.not_applicable,
            remediation,
        )

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement,
        severity=severity,
        remediation_steps=remediation,
        config_schema=_schema(defaults, schema or {}),
    )


def stack_policy(
    *,
    name: str,
    description: str,
    check: StackCheck,
    severity: Severity,
    remediation: str,
    enforcement: EnforcementLevel = EnforcementLevel.MANDATORY,
    defaults: Config | None = None,
    schema: Mapping[str, Any] | None = None,
) -> StackValidationPolicy:
    """A stack policy over every resource, with the same safety net as `resource_policy`."""
    defaults = dict(defaults or {})

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config = _config(defaults, args.get_config())
        _guarded(lambda: check(args.resources, config), report, args.not_applicable, remediation)

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement,
        severity=severity,
        remediation_steps=remediation,
        config_schema=_schema(defaults, schema or {}),
    )


def _guarded(
    findings: Callable[[], Iterable[tuple[str, str | None]]],
    report: ReportViolation,
    not_applicable: Callable[[str], None],
    remediation: str,
) -> None:
    """Report what a check yields; never let a rule's exception out of the pack."""
    try:
        for message, urn in findings():
            report(message, urn)
    except (UnknownValueError, NotApplicableError) as why:
        not_applicable(_reason(why))
    except MalformedError as error:
        report(f"malformed properties: {error}. Fix: {remediation}", None)
    except Exception as error:  # noqa: BLE001 a rule bug is a finding, not a crashed preview
        report(f"policy error ({type(error).__name__}: {error}); please report it", None)


def _reason(why: Exception) -> str:
    return getattr(why, "message", None) or str(why) or "a value is unknown until the update runs"


def of_type(resources: Sequence[StackResource], *types: str) -> list[StackResource]:
    """The stack's resources of any of `types`, in order."""
    return [r for r in resources if r.resource_type in types]

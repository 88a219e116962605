"""Build CrossGuard policies from pure `check` functions, with the pack's safety net around them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial
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

from conduit.core import suppression
from conduit.core.violation import (
    INSPECTS,
    SECURITY,
    STRUCTURED_ENV,
    Violation,
    encode,
    readable,
)
from policies.guard import cloudrun_v1
from policies.guard.props import MalformedError, NotApplicableError

Config = Mapping[str, Any]
ResourceCheck = Callable[[Any, Config], Iterable[Violation]]
"""Yields one Violation per problem with one resource's properties."""


class StackResource(Protocol):
    """What a stack check sees of a resource (pulumi_policy.PolicyResource has all of it)."""

    resource_type: str
    props: Any
    urn: str
    dependencies: list[Any]
    parent: Any
    """The parent resource (or its URN), None at the stack's root."""


StackCheck = Callable[[Sequence[StackResource], Config], Iterable[Violation]]
"""Yields one Violation (with its urn) per problem across the stack."""


def _schema(defaults: Config, schema: Mapping[str, Any]) -> PolicyConfigSchema:
    properties = {
        key: {**spec, "default": defaults[key]} if key in defaults else dict(spec)
        for key, spec in schema.items()
    }
    # Every policy takes suppressions with a reason; Conduit's reports apply them (the pack
    # itself reports every violation: the Pulumi CLI has no suppressed outcome).
    properties[suppression.KEY] = dict(suppression.SCHEMA)
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
    security: bool = False,
) -> ResourceValidationPolicy:
    """A resource policy: `check` runs only for `resource_types`, never raises out of the pack;
    `security` marks a rule about exposure, credentials or access."""
    defaults = dict(defaults or {})

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in resource_types:
            return
        config = _config(defaults, args.get_config())
        if args.resource_type == cloudrun_v1.SERVICE_V1:
            # A v1 service is judged as the v2 service it describes, at its own v1 paths.
            _guarded(
                name,
                lambda: check(cloudrun_v1.as_v2(args.props), config),
                report,
                args.not_applicable,
                remediation,
                _at_v1_paths,
            )
            return
        _guarded(name, partial(check, args.props, config), report, args.not_applicable, remediation)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement,
        severity=severity,
        remediation_steps=remediation,
        config_schema=_schema(defaults, schema or {}),
        tags=[f"{INSPECTS}{type_}" for type_ in resource_types] + [SECURITY] * security,
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
    inspects: tuple[str, ...] = (),
    security: bool = False,
) -> StackValidationPolicy:
    """A stack policy over every resource, with the same safety net as `resource_policy`;
    `inspects` names the types whose settings it judges that no resource policy judges, so
    that a report can list what no rule inspects."""
    defaults = dict(defaults or {})

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config = _config(defaults, args.get_config())
        # A v1 service counts as the v2 service it describes, its findings at its v1 paths.
        resources, v1 = cloudrun_v1.v2_views(args.resources)
        _guarded(
            name,
            lambda: check(resources, config),
            report,
            args.not_applicable,
            remediation,
            partial(_at_v1_paths_of, v1),
        )

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement,
        severity=severity,
        remediation_steps=remediation,
        config_schema=_schema(defaults, schema or {}),
        tags=[f"{INSPECTS}{type_}" for type_ in inspects] + [SECURITY] * security,
    )


def _guarded(
    policy: str,
    violations: Callable[[], Iterable[Violation]],
    report: ReportViolation,
    not_applicable: Callable[[str], None],
    remediation: str,
    relocate: Callable[[Violation], Violation] = lambda violation: violation,
) -> None:
    """Report what a check yields, as data when Conduit asks for it."""
    structured = os.environ.get(STRUCTURED_ENV) == "1"
    render = encode if structured else readable
    try:
        for violation in violations():
            filled = relocate(replace(violation, remediation=violation.remediation or remediation))
            report(render(filled), filled.urn)
    except (UnknownValueError, NotApplicableError) as why:
        not_applicable(_reason(why))
    except MalformedError as error:
        report(render(Violation(f"malformed properties: {error}.", remediation=remediation)), None)
    except Exception as error:
        if not structured:
            # The protocol has no error channel: a raised exception fails the CLI's preview
            # ("failed to run policy"), where a reported violation could pass as a warning.
            raise
        crash = f"rule {policy} raised {type(error).__name__}: {error}"
        report(
            encode(Violation(crash, error=True, remediation="Report it: a rule is broken.")), None
        )


def _at_v1_paths(violation: Violation) -> Violation:
    return replace(violation, paths=tuple(cloudrun_v1.v1_path(p) for p in violation.paths))


def _at_v1_paths_of(v1: frozenset[str], violation: Violation) -> Violation:
    """A stack violation's paths and related paths where the v1 services among them write them."""
    if not v1:
        return violation
    paths = violation.paths
    if violation.urn in v1:
        paths = tuple(cloudrun_v1.v1_path(p) for p in paths)
    related = tuple(
        (urn, cloudrun_v1.v1_path(path), *rest) if urn in v1 else (urn, path, *rest)
        for urn, path, *rest in violation.related
    )
    return replace(violation, paths=paths, related=related)


def _reason(why: Exception) -> str:
    return getattr(why, "message", None) or str(why) or "a value is unknown until the update runs"


def of_type(resources: Sequence[StackResource], *types: str) -> list[StackResource]:
    """The stack's resources of any of `types`, in order."""
    return [r for r in resources if r.resource_type in types]

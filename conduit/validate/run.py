"""Run the selected checks under one global deadline and gather one report."""

from __future__ import annotations

import dataclasses
import time
from types import ModuleType

from conduit import interrupts
from conduit.core.check_ids import CheckId
from conduit.core.failures import FailureClass
from conduit.report.model import Finding, Outcome, Report, Rule
from conduit.validate.context import Context, skipped
from conduit.validate.google import api_failure, is_access_failure

REACHED = "the app's dependencies answered: {}"


def route_by_reachable_dependencies(findings: list[Finding], has_redis: bool) -> list[Finding]:
    """A health endpoint that fails while the database (and Redis, when the stack has one) took
    every connection in time is the app's failure, whatever the HTTP answer looked like: route
    it to the application team."""
    passed = {f.rule for f in findings if f.outcome is Outcome.PASS}
    needed = [CheckId.DATABASE_CONNECT, *([CheckId.REDIS_CONNECT] if has_redis else [])]
    if not all(rule in passed for rule in needed):
        return findings
    note = REACHED.format(", ".join(f"{rule} passed" for rule in needed))
    return [
        dataclasses.replace(
            f, classification=FailureClass.APPLICATION, evidence=(*f.evidence, note)
        )
        if f.rule == CheckId.HEALTH_ENDPOINTS
        and f.outcome is Outcome.FAIL
        and f.classification == FailureClass.INFRASTRUCTURE
        else f
        for f in findings
    ]


def validate(ctx: Context, checks: list[ModuleType]) -> Report:
    """Every check's findings; a check that raises is an error finding, never a crash."""
    started = time.monotonic()
    findings: list[Finding] = []
    for check in checks:
        if ctx.deadline.expired:
            findings += skipped(check.ID, "not run: the global deadline ran out")
            continue
        # Google calls never outlive the global deadline.
        ctx.google.timeout = max(min(30.0, ctx.deadline.remaining()), 0.1)
        ctx.progress(f"{check.ID}: running ({ctx.deadline.remaining():.0f} s left)")
        try:
            results = check.run(ctx)
        except Exception as error:  # noqa: BLE001 a broken check is reported, the others still run
            interrupts.raise_if_received()
            # The validator's own access failing (e.g. running the probe job) is no broken check.
            access = is_access_failure(error)
            results = (
                [api_failure(check.ID, error, roles=getattr(check, "ROLES", ()))]
                if access
                else [
                    Finding(
                        rule=check.ID,
                        outcome=Outcome.ERROR,
                        severity="high",
                        message=f"the check failed: {type(error).__name__}: {error}",
                    )
                ]
            )
        findings += results
        outcomes = ", ".join(sorted({str(f.outcome) for f in results}))
        ctx.progress(f"{check.ID}: {outcomes}")
    findings = route_by_reachable_dependencies(findings, ctx.targets.has_redis)
    rules = tuple(
        Rule(
            name=c.ID,
            description=c.DESCRIPTION,
            severity="high",
            enforcement="required",
            scope="stack",
        )
        for c in checks
    )
    return Report(
        command="validate",
        stack=ctx.targets.stack,
        findings=tuple(findings),
        rules=rules,
        source=ctx.targets.source,
        duration_seconds=time.monotonic() - started,
    )

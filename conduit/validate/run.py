"""Run the selected checks under one global deadline and gather one report."""

from __future__ import annotations

import time
from types import ModuleType

from conduit.report.model import Finding, Outcome, Report, Rule
from conduit.validate.context import Context, skipped


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
            results = [
                Finding(
                    rule=check.ID,
                    outcome=Outcome.ERROR,
                    severity="high",
                    message=f"the check failed: {type(error).__name__}: {error}",
                )
            ]
        findings += results
        outcomes = ", ".join(sorted({str(f.outcome) for f in results}))
        ctx.progress(f"{check.ID}: {outcomes}")
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

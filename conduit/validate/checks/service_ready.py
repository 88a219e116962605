"""service-ready: each service is Ready and its latest revision is ready and serving."""

from __future__ import annotations

from conduit.core.check_ids import CheckId
from conduit.core.failures import FailureClass
from conduit.report.model import Finding, Outcome
from conduit.validate import deployed
from conduit.validate.context import Context, skipped
from conduit.validate.google import api_failure, no_credentials

ID = CheckId.SERVICE_READY
DESCRIPTION = "Each Cloud Run service is Ready; its latest created revision is ready and serving."
ROLES = ("roles/run.viewer",)
"""What the validator's account needs for this check."""


def service_names(ctx: Context) -> list[str]:
    """`projects/.../services/<name>` of every service the targets name."""
    t = ctx.targets
    if not (t.project and t.region):
        return []
    return [
        f"projects/{t.project}/locations/{t.region}/services/{s.name}" for s in t.services if s.name
    ]


def _judge(ctx: Context, name: str) -> Finding:
    from google.cloud import run_v2

    try:
        service = deployed.service(ctx, name)
    except Exception as error:  # noqa: BLE001 an API failure is a classified finding
        # Without credentials no service can be read: once for the check, no subject.
        subject = "" if no_credentials(error) else name
        return api_failure(ID, error, subject=subject, roles=ROLES)
    condition = service.terminal_condition
    state = run_v2.Condition.State(condition.state).name
    latest = service.latest_created_revision.rsplit("/", 1)[-1]
    ready = service.latest_ready_revision.rsplit("/", 1)[-1]
    serving = {
        (s.revision.rsplit("/", 1)[-1] or ready): s.percent for s in service.traffic_statuses
    }
    problems = []
    if state != "CONDITION_SUCCEEDED":
        problems.append(
            f"terminal condition {condition.type_ or 'Ready'} is {state}: "
            f"{condition.message or condition.reason}"
        )
    if latest != ready:
        problems.append(f"latest created revision {latest} is not ready (ready: {ready or 'none'})")
    if serving.get(latest, 0) <= 0:
        problems.append(f"latest revision {latest} serves no traffic ({serving or 'none'})")
    figures = {"state": state, "latestCreated": latest, "latestReady": ready, "traffic": serving}
    if problems:
        # A revision that never becomes ready failed its start-up: the app's or the path's fault,
        # which health-endpoints and the storm tell apart.
        return Finding(
            rule=ID,
            outcome=Outcome.FAIL,
            subject=name,
            severity="critical",
            classification=FailureClass.INFRASTRUCTURE,
            figures=figures,
            message="; ".join(problems),
            remediation="Read the revision's start-up logs; see health-endpoints.",
        )
    return Finding(
        rule=ID,
        outcome=Outcome.PASS,
        subject=name,
        figures=figures,
        message=f"Ready; revision {latest} serves {serving.get(latest)}%",
    )


def run(ctx: Context) -> list[Finding]:
    names = service_names(ctx)
    if not names:
        t = ctx.targets
        named = any(s.name for s in t.services)
        return skipped(ID, t.missing(project=t.project, region=t.region, services=named))
    findings = []
    for name in names:
        finding = _judge(ctx, name)
        if finding.outcome is Outcome.FAIL and not finding.subject:
            return [finding]
        findings.append(finding)
    return findings

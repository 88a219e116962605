"""service-ready: the service is Ready and its latest revision is ready and serving."""

from __future__ import annotations

from conduit.report.model import Finding, Outcome
from conduit.validate import deployed
from conduit.validate.context import Context, skipped
from conduit.validate.google import api_failure

ID = "service-ready"
DESCRIPTION = "The Cloud Run service is Ready; the latest created revision is ready and serving."


def service_name(ctx: Context) -> str | None:
    t = ctx.targets
    if not (t.project and t.region and t.service_name):
        return None
    return f"projects/{t.project}/locations/{t.region}/services/{t.service_name}"


def run(ctx: Context) -> list[Finding]:
    from google.cloud import run_v2

    name = service_name(ctx)
    if name is None:
        return skipped(ID, "no project, region and service name (stack outputs)")
    try:
        service = deployed.service(ctx, name)
    except Exception as error:  # noqa: BLE001 an API failure is a classified finding
        return [api_failure(ID, error, subject=name)]
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
        return [
            Finding(
                rule=ID,
                outcome=Outcome.FAIL,
                subject=name,
                severity="critical",
                classification="infrastructure",
                figures=figures,
                message="; ".join(problems),
                remediation="Read the revision's start-up logs; see health-endpoints.",
            )
        ]
    return [
        Finding(
            rule=ID,
            outcome=Outcome.PASS,
            subject=name,
            figures=figures,
            message=f"Ready; revision {latest} serves {serving.get(latest)}%",
        )
    ]

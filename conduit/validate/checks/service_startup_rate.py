"""service-startup-rate: the service's own instance start-ups over a window, from Cloud Logging.

Cloud Run's system log (`run.googleapis.com/varlog/system`) records each start-up probe's outcome
per instance ("... STARTUP ... probe succeeded after N attempts ...", "... STARTUP ... probe failed
N times consecutively ... The instance was not started.") and container exits ("Container called
exit(3)."). An instance that logged a success started; any other instance that logged start-up
entries failed: application when its container exited non-zero (the app gave up, e.g. exit code 3
on a database init timeout), infrastructure when the probe window ran out.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from typing import Any

from conduit.core import startup_log
from conduit.core.check_ids import CheckId
from conduit.core.failures import FailureClass
from conduit.report.model import Finding, Outcome
from conduit.validate.context import Context, skipped
from conduit.validate.google import api_failure, no_credentials

ID = CheckId.SERVICE_STARTUP_RATE
DESCRIPTION = "The service's own start-ups over a window (Cloud Logging) meet startupSuccessRate."
ROLES = ("roles/logging.viewer",)
"""What the validator's account needs for this check."""
WINDOW_SECONDS = 3600
MAX_ENTRIES = 5000
REMEDIATION = (
    "application: the container exited (exit code 3 is the app's database init timeout); "
    "infrastructure: the start-up probe window ran out (cloudrun-startup-probe-covers-db-init)."
)


def log_filter(project: str, service: str, since: dt.datetime) -> str:
    return (
        f"{startup_log.service_filter(project, [service])} "
        f'AND timestamp>="{since.strftime("%Y-%m-%dT%H:%M:%SZ")}" '
        f"AND {startup_log.STARTUP_ENTRIES}"
    )


def tally(entries: list[tuple[str, str]]) -> dict[str, Any]:
    """Start-up outcomes from (instance id, text) pairs."""
    instances: dict[str, dict[str, Any]] = {}
    for instance, text in entries:
        # Any start-up entry counts the instance; only a success or an exit code says how.
        state = instances.setdefault(instance, {"ok": False, "exit": None})
        if startup_log.SUCCEEDED.search(text):
            state["ok"] = True
        elif match := startup_log.EXITED.search(text):
            state["exit"] = int(match.group(1))
    failed = [s for s in instances.values() if not s["ok"]]
    application = [s for s in failed if s["exit"] not in (None, 0)]
    exit_codes: dict[str, int] = {}
    for state in application:
        exit_codes[str(state["exit"])] = exit_codes.get(str(state["exit"]), 0) + 1
    return {
        "starts": len(instances),
        "succeeded": len(instances) - len(failed),
        "failedApplication": len(application),
        "failedInfrastructure": len(failed) - len(application),
        "exitCodes": exit_codes,
    }


def _fetch(ctx: Context, project: str, flt: str) -> list[tuple[str, str]]:
    client = ctx.google.logging(project)
    pairs = []
    for entry in client.list_entries(
        resource_names=[f"projects/{project}"],
        filter_=flt,
        page_size=1000,
        max_results=MAX_ENTRIES,
    ):
        labels = entry.labels or {}
        pairs.append((labels.get("instanceId") or entry.insert_id or "", str(entry.payload or "")))
    return pairs


def _within_deadline(ctx: Context, project: str, flt: str) -> list[tuple[str, str]]:
    """The Logging client has no per-call timeout: wait for it no longer than the deadline."""
    answer: queue.Queue = queue.Queue(maxsize=1)

    def work() -> None:
        try:
            answer.put((True, _fetch(ctx, project, flt)))
        except Exception as error:  # noqa: BLE001 handed to the caller
            answer.put((False, error))

    threading.Thread(target=work, daemon=True).start()
    try:
        ok, value = answer.get(timeout=max(ctx.deadline.remaining(), 0.1))
    except queue.Empty:
        raise TimeoutError("Cloud Logging did not answer before the deadline") from None
    if not ok:
        raise value
    return value


def _judge(ctx: Context, service: str) -> Finding:
    t = ctx.targets
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=WINDOW_SECONDS)
    try:
        entries = _within_deadline(ctx, str(t.project), log_filter(str(t.project), service, since))
    except Exception as error:  # noqa: BLE001 an API failure is a classified finding
        # Without credentials no service's log can be read: once for the check, no subject.
        subject = "" if no_credentials(error) else service
        return api_failure(ID, error, subject=subject, prefix="Cloud Logging: ", roles=ROLES)
    figures = {**tally(entries), "windowSeconds": WINDOW_SECONDS}
    starts = figures["starts"]
    if not starts:
        return Finding(
            rule=ID,
            outcome=Outcome.SKIPPED,
            subject=service,
            severity="low",
            message=f"no instance start-ups logged in the last {WINDOW_SECONDS // 60} min",
        )
    rate = figures["succeeded"] / starts
    figures["successRate"] = round(rate, 3)
    threshold = t.criteria.startup_success_rate
    message = (
        f"{figures['succeeded']}/{starts} instance start-ups succeeded ({rate:.0%}, "
        f"threshold {threshold:.0%}) in the last {WINDOW_SECONDS // 60} min"
    )
    if rate >= threshold:
        return Finding(
            rule=ID, outcome=Outcome.PASS, subject=service, message=message, figures=figures
        )
    application = figures["failedApplication"] >= figures["failedInfrastructure"]
    return Finding(
        rule=ID,
        outcome=Outcome.FAIL,
        subject=service,
        severity="critical",
        message=message,
        figures=figures,
        classification=(FailureClass.APPLICATION if application else FailureClass.INFRASTRUCTURE),
        evidence=tuple(f"exit({code}) x{n}" for code, n in figures["exitCodes"].items()),
        remediation=REMEDIATION,
    )


def run(ctx: Context) -> list[Finding]:
    names = [s.name for s in ctx.targets.services if s.name]
    if not (ctx.targets.project and names):
        t = ctx.targets
        return skipped(ID, t.missing(project=t.project, services=names))
    findings = []
    for name in names:
        finding = _judge(ctx, name)
        if finding.classification == FailureClass.VALIDATOR_ACCESS and not finding.subject:
            return [finding]
        findings.append(finding)
    return findings

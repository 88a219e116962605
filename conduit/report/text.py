"""Plain text for terminals and CI logs."""

from __future__ import annotations

from conduit.report.model import Location, Outcome, Report

MARKS = {
    Outcome.FAIL: "FAIL",
    Outcome.WARN: "WARN",
    Outcome.ERROR: "ERROR",
    Outcome.PASS: "ok",
    Outcome.SKIPPED: "skip",
    Outcome.SUPPRESSED: "SUPPR",
}


def _where(location: Location) -> str:
    note = f" ({location.note})" if location.note else ""
    return f"{location.file}:{location.line} {location.key}{note}"


def render(report: Report) -> str:
    lines = []
    if report.command == "validate":
        lines += [f"Validating {report.stack}: targets from {report.source}", ""]
    if report.resources:
        what = "Deployed in" if report.command == "audit" else "Plan for"
        lines.append(f"{what} stack {report.stack} ({report.source}):")
        lines += [f"  {count:4d}  {type_}" for type_, count in report.resources_by_type()]
        lines.append("")
    if uninspected := report.uninspected():
        lines.append("Not inspected by any rule:")
        lines += [f"  {count:4d}  {type_}" for type_, count in uninspected]
        lines.append("")
    shown = report.findings
    for finding in shown:
        where = f" {finding.subject}" if finding.subject else ""
        level = f" [{finding.enforcement}/{finding.severity}]" if finding.enforcement else ""
        lines.append(f"{MARKS[finding.outcome]:5} {finding.rule}{level}{where}")
        lines.append(f"      {finding.message}")
        if finding.remediation and finding.outcome in (Outcome.FAIL, Outcome.WARN, Outcome.ERROR):
            lines.append(f"      fix: {finding.remediation}")
        if finding.suppression:
            lines.append(f"      suppressed: {finding.suppression}")
        if finding.classification:
            lines.append(f"      classification: {finding.classification}")
        if finding.location:
            lines.append(f"      at {_where(finding.location)}")
        lines += [f"      related: {_where(r)}" for r in finding.related]
    if report.policy_config:
        lines.append(f"policy config: {report.policy_config}")
    lines += [f"note: {note}" for note in report.notes]
    if shown or report.notes or report.policy_config:
        lines.append("")
    lines.append(report.summary())
    return "\n".join(lines) + "\n"

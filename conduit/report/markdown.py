"""Markdown for a pull-request comment or a job summary: the verdict first, details folded."""

from __future__ import annotations

from conduit.report.model import Outcome, Report

ICONS = {
    Outcome.FAIL: "❌",
    Outcome.WARN: "⚠️",
    Outcome.ERROR: "💥",
    Outcome.PASS: "✅",
    Outcome.SKIPPED: "⏭️",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: Report) -> str:
    icon = "❌" if report.failures else "✅"
    lines = [f"### {icon} conduit {report.command}: {report.summary()}", ""]
    findings = report.findings
    if findings:
        lines += ["| | rule | subject | at | message |", "|---|---|---|---|---|"]
        for f in findings:
            subject = f.subject.rsplit("::", 1)[-1] if f.subject else ""
            at = f"`{f.location.file}:{f.location.line}`" if f.location else ""
            cells = [ICONS[f.outcome], f"`{f.rule}`", _cell(subject), at, _cell(f.message)]
            lines.append(f"| {' | '.join(cells)} |")
        lines.append("")
        lines += ["<details><summary>Details and fixes</summary>", ""]
        for f in findings:
            lines.append(
                f"- **{f.rule}** ({f.outcome}, {f.severity}) on `{f.subject or report.stack}`"
            )
            lines.append(f"  - {_cell(f.message)}")
            if f.remediation:
                lines.append(f"  - Fix: {_cell(f.remediation)}")
            if f.location:
                lines.append(f"  - At `{f.location.file}:{f.location.line}` (`{f.location.key}`)")
            if f.classification:
                lines.append(f"  - Classification: {f.classification}")
        lines += ["", "</details>", ""]
    if report.resources:
        lines += ["<details><summary>Plan</summary>", "", "| resources | type |", "|---:|---|"]
        lines += [f"| {count} | `{type_}` |" for type_, count in report.resources_by_type()]
        lines += ["", "</details>", ""]
    return "\n".join(lines)

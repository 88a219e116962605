"""Markdown for a pull-request comment or a job summary: the verdict first, details folded."""

from __future__ import annotations

from collections.abc import Callable

from conduit.report.model import Finding, Location, Outcome, Report

ICONS = {
    Outcome.FAIL: "❌",
    Outcome.WARN: "⚠️",
    Outcome.ERROR: "💥",
    Outcome.PASS: "✅",
    Outcome.SKIPPED: "⏭️",
    Outcome.SUPPRESSED: "🔕",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _at(location: Location | None) -> str:
    return f"`{location.file}:{location.line}`" if location else ""


def render(report: Report) -> str:
    icon = "❌" if report.failures else "✅"
    lines = [f"### {icon} conduit {report.command}: {report.summary()}", ""]
    if report.policy_config:
        lines += [f"Policy config: {_cell(report.policy_config)}", ""]
    if report.notes:
        lines += [*(f"- Note: {_cell(note)}" for note in report.notes), ""]
    findings = report.findings
    if findings:
        columns: list[tuple[str, Callable[[Finding], str]]] = [
            ("", lambda f: ICONS[f.outcome]),
            ("rule", lambda f: f"`{f.rule}`"),
            ("subject", lambda f: _cell(f.subject.rsplit("::", 1)[-1] if f.subject else "")),
            ("at", lambda f: _at(f.location)),
            ("message", lambda f: _cell(f.message)),
        ]
        rows = [[cell(f) for _, cell in columns] for f in findings]
        # A column no finding fills is left out (a validate run has no stack-file lines).
        kept = [i for i in range(len(columns)) if i < 2 or any(row[i] for row in rows)]
        lines.append(f"| {' | '.join(columns[i][0] for i in kept)} |".replace("|  |", "| |"))
        lines.append("|" + "---|" * len(kept))
        lines += [f"| {' | '.join(row[i] for i in kept)} |" for row in rows]
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
                lines.append(f"  - At {_at(f.location)} (`{f.location.key}`)")
            for r in f.related:
                note = f": {_cell(r.note)}" if r.note else ""
                lines.append(f"  - Related: {_at(r)} (`{r.key}`){note}")
            if f.suppression:
                lines.append(f"  - Suppressed: {_cell(f.suppression)}")
            if f.classification:
                lines.append(f"  - Classification: {f.classification}")
        lines += ["", "</details>", ""]
    if report.resources:
        lines += ["<details><summary>Plan</summary>", "", "| resources | type |", "|---:|---|"]
        lines += [f"| {count} | `{type_}` |" for type_, count in report.resources_by_type()]
        lines += ["", "</details>", ""]
    if uninspected := report.uninspected():
        lines += ["<details><summary>Not inspected by any rule</summary>", ""]
        lines += ["| resources | type |", "|---:|---|"]
        lines += [f"| {count} | `{type_}` |" for type_, count in uninspected]
        lines += ["", "</details>", ""]
    return "\n".join(lines)

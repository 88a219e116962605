"""JUnit XML: a preview has one case per (resource rule, resource of a type it inspects) and one
per stack rule; a validate run one per check and subject."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from conduit.report.model import PLANNED, Finding, Outcome, Report


def _cases(report: Report) -> list[tuple[str, str, list[Finding]]]:
    """(class name, case name, findings) for every case the report implies."""
    by_key: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        by_key.setdefault((finding.rule, finding.subject), []).append(finding)
    if report.command not in PLANNED:
        return [(rule, subject or report.stack, found) for (rule, subject), found in by_key.items()]
    cases: list[tuple[str, str, list[Finding]]] = []
    for rule in report.rules:
        if rule.scope == "stack":
            found = [f for f in report.findings if f.rule == rule.name]
            cases.append((rule.name, report.stack, found))
        else:
            cases += [
                (rule.name, urn, by_key.get((rule.name, urn), []))
                for type_, urn in report.resources
                if type_ in rule.inspects
            ]
    return cases


def _count(cases: list[tuple[str, str, list[Finding]]], *outcomes: Outcome) -> str:
    return str(sum(any(f.outcome in outcomes for f in found) for _, _, found in cases))


def render(report: Report) -> str:
    cases = _cases(report)
    suite = ET.Element(
        "testsuite",
        name=f"conduit {report.command} {report.stack}",
        tests=str(len(cases)),
        failures=_count(cases, Outcome.FAIL),
        errors=_count(cases, Outcome.ERROR),
        skipped=_count(cases, Outcome.SKIPPED, Outcome.SUPPRESSED),
        time=f"{report.duration_seconds:.3f}",
    )
    uninspected = report.uninspected()
    if report.policy_config or uninspected:
        properties = ET.SubElement(suite, "properties")
        if report.policy_config:
            ET.SubElement(properties, "property", name="policyConfig", value=report.policy_config)
        # Listed beside the cases, so that no uninspected resource passes as a green case.
        for type_, count in uninspected:
            ET.SubElement(properties, "property", name=f"uninspected:{type_}", value=str(count))
    for classname, name, findings in cases:
        case = ET.SubElement(suite, "testcase", classname=classname, name=name)
        for finding in findings:
            text = finding.message + (
                f"\nFix: {finding.remediation}" if finding.remediation else ""
            )
            where = finding.location
            if where:
                text += f"\nAt: {where.file}:{where.line} ({where.key})"
            for related in finding.related:
                note = f": {related.note}" if related.note else ""
                text += f"\nRelated: {related.file}:{related.line} ({related.key}){note}"
            if finding.outcome is Outcome.FAIL:
                ET.SubElement(
                    case, "failure", message=finding.message, type=finding.severity
                ).text = text
            elif finding.outcome is Outcome.ERROR:
                ET.SubElement(case, "error", message=finding.message).text = text
            elif finding.outcome is Outcome.SKIPPED:
                ET.SubElement(case, "skipped", message=finding.message)
            elif finding.outcome is Outcome.SUPPRESSED:
                # Not run as a failure and never a pass: skipped, with the reason.
                ET.SubElement(
                    case, "skipped", message=f"suppressed: {finding.suppression}"
                ).text = text
            elif finding.outcome is Outcome.WARN:
                ET.SubElement(case, "system-out").text = f"advisory: {text}"
            elif finding.figures:
                # JSON, as the JSON report writes figures: a CI system can parse it.
                ET.SubElement(case, "system-out").text = json.dumps(
                    finding.figures, sort_keys=True, default=str
                )
    ET.indent(suite)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
    )

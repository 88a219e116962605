"""SARIF 2.1.0 for code scanning: one rule per policy, one result per finding, in the stack file."""

from __future__ import annotations

import json
from typing import Any

from conduit.report.model import Outcome, Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {
    Outcome.FAIL: "error",
    Outcome.WARN: "warning",
    Outcome.ERROR: "error",
    Outcome.PASS: "none",
    Outcome.SKIPPED: "none",
    Outcome.SUPPRESSED: "warning",
}
BLOCKING = ("mandatory", "remediate")
SECURITY_SEVERITY = {"low": "3.0", "medium": "5.5", "high": "8.0", "critical": "9.5"}


def render(report: Report) -> str:
    names = [r.name for r in report.rules]
    for finding in report.findings:
        if finding.rule not in names:
            names.append(finding.rule)
    described = {r.name: r for r in report.rules}
    rules = []
    for name in names:
        rule = described.get(name)
        entry: dict[str, Any] = {"id": name, "name": name}
        if rule:
            entry["shortDescription"] = {"text": rule.description}
            if rule.remediation:
                entry["help"] = {"text": rule.remediation}
            # Code scanning ranks a result with a security-severity as a security alert: only
            # the rules about exposure, credentials or access get one, never sizing rules.
            entry["properties"] = {
                **(
                    {"security-severity": SECURITY_SEVERITY.get(rule.severity, "5.5")}
                    if rule.security
                    else {}
                ),
                "enforcement": rule.enforcement,
            }
        rules.append(entry)
    results = []
    for finding in report.findings:
        if finding.outcome in (Outcome.PASS, Outcome.SKIPPED):
            continue
        location = finding.location
        # A violation's own fix when it differs from the rule's (which is the rule's help).
        own_fix = finding.remediation and finding.remediation != getattr(
            described.get(finding.rule), "remediation", ""
        )
        text = finding.message + (f" Fix: {finding.remediation}" if own_fix else "")
        result = {
            "ruleId": finding.rule,
            "ruleIndex": names.index(finding.rule),
            "level": LEVELS[finding.outcome],
            "message": {"text": text},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": location.file if location else report.source},
                        "region": {"startLine": location.line if location else 1},
                    },
                    **(
                        {"logicalLocations": [{"fullyQualifiedName": finding.subject}]}
                        if finding.subject
                        else {}
                    ),
                }
            ],
            "partialFingerprints": {"conduitSubject/v1": f"{finding.rule}:{finding.subject}"},
        }
        if finding.outcome is Outcome.SUPPRESSED:
            # The level it would have had; code scanning shows it as suppressed, with the reason.
            result["level"] = "error" if finding.enforcement in BLOCKING else "warning"
            result["suppressions"] = [{"kind": "external", "justification": finding.suppression}]
        if finding.related:
            # The other settings that take part: code scanning links them from the result.
            result["relatedLocations"] = [
                {
                    "id": number,
                    "physicalLocation": {
                        "artifactLocation": {"uri": related.file},
                        "region": {"startLine": related.line},
                    },
                    "message": {"text": related.note or related.key},
                }
                for number, related in enumerate(finding.related, start=1)
            ]
        results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "conduit",
                        **({"version": version} if (version := _version()) else {}),
                        "rules": rules,
                    }
                },
                "results": results,
                **_invocations(report),
                **_properties(report),
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _properties(report: Report) -> dict:
    """The run's policy config and what no rule inspects, by type with counts."""
    properties: dict = {}
    if report.policy_config:
        properties["policyConfig"] = report.policy_config
    if uninspected := report.uninspected():
        properties["uninspected"] = dict(uninspected)
    return {"properties": properties} if properties else {}


def _invocations(report: Report) -> dict:
    """What no rule inspects, as notes of the run's invocation (shown beside the results)."""
    uninspected = report.uninspected()
    if not uninspected:
        return {}
    notes = [
        {
            "level": "note",
            "message": {"text": f"not inspected by any rule: {count} x {type_}"},
            "descriptor": {"id": "conduit/uninspected"},
        }
        for type_, count in uninspected
    ]
    return {"invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}]}


def _version() -> str | None:
    """conduit's installed version, for the driver (None when it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("conduit")
    except PackageNotFoundError:
        return None

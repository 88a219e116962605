"""JSON with a versioned schema (conduit/report/report.schema.json)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from conduit.report.model import SCHEMA_VERSION, Report


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "command": report.command,
        "stack": report.stack,
        "source": report.source,
        "summary": report.summary(),
        "exitCode": int(report.exit_code),
        "durationSeconds": round(report.duration_seconds, 3),
        "resources": [{"type": t, "urn": u} for t, u in report.resources],
        "rules": [
            {**asdict(rule), "remediation": rule.remediation or None} for rule in report.rules
        ],
        "findings": [
            {
                "rule": f.rule,
                "outcome": str(f.outcome),
                "severity": f.severity,
                # Absent is null, never "" (the schema says which fields may be null).
                "enforcement": f.enforcement or None,
                "subject": f.subject or None,
                "subjectType": f.subject_type or None,
                "message": f.message,
                "remediation": f.remediation or None,
                "location": asdict(f.location) if f.location else None,
                "related": [asdict(r) for r in f.related],
                "properties": list(f.properties),
                "observed": f.observed,
                "required": f.required,
                "classification": f.classification or None,
                "figures": f.figures,
                "evidence": list(f.evidence),
                "suppression": f.suppression or None,
            }
            for f in report.findings
        ],
        "notes": list(report.notes),
        "policyConfig": report.policy_config or None,
        "uninspected": [{"type": t, "count": n} for t, n in report.uninspected()],
    }


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=False) + "\n"

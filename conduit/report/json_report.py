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
        "rules": [asdict(rule) for rule in report.rules],
        "findings": [
            {
                "rule": f.rule,
                "outcome": str(f.outcome),
                "severity": f.severity,
                "enforcement": f.enforcement,
                "subject": f.subject,
                "subjectType": f.subject_type,
                "message": f.message,
                "remediation": f.remediation,
                "location": asdict(f.location) if f.location else None,
                "classification": f.classification,
                "figures": f.figures,
                "evidence": list(f.evidence),
            }
            for f in report.findings
        ],
        "notes": list(report.notes),
    }


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=False) + "\n"

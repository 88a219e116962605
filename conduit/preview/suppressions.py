"""Suppressions with a reason: the policy config's `suppress` entries of each policy.

`{"<policy>": {"suppress": [{"resource": NAME-OR-URN, "reason": WHY}]}}` turns that policy's
violations on that resource into findings of outcome `suppressed`, with the reason, in every
format; never a pass, never a block. An entry that matches no resource of the plan is a warning:
a suppression that suppresses nothing (a renamed resource) must not sit unseen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from conduit.core.suppression import KEY
from conduit.report.model import Finding, Location, Outcome


@dataclass(frozen=True)
class Suppression:
    rule: str
    resource: str
    reason: str

    def matches(self, urn: str) -> bool:
        """A URN, or the name it ends with."""
        return self.resource in (urn, urn.rsplit("::", 1)[-1])


def entries(raw: dict[str, Any]) -> list[Suppression]:
    """Every suppression of a raw policy config (validated by the pack's schema before)."""
    found = []
    for rule, entry in raw.items():
        if isinstance(entry, dict):
            for item in entry.get(KEY) or ():
                found.append(Suppression(rule, str(item["resource"]), str(item["reason"])))
    return found


def apply(
    findings: tuple[Finding, ...],
    suppressions: list[Suppression],
    urns: list[str],
    config: Path | None,
    shown: str,
) -> tuple[Finding, ...]:
    """`findings` with each suppressed violation marked so, then a warning per suppression that
    matches no resource of `urns` (located at its entry in the config file, shown as `shown`)."""
    marked = []
    for finding in findings:
        hit = next(
            (
                s
                for s in suppressions
                if s.rule == finding.rule
                and finding.subject
                and s.matches(finding.subject)
                and finding.outcome in (Outcome.FAIL, Outcome.WARN)
            ),
            None,
        )
        marked.append(
            replace(finding, outcome=Outcome.SUPPRESSED, suppression=hit.reason) if hit else finding
        )
    text = config.read_text() if config is not None else ""
    for s in suppressions:
        if any(s.matches(urn) for urn in urns):
            continue
        marked.append(
            Finding(
                rule=s.rule,
                outcome=Outcome.WARN,
                message=(
                    f"the suppression of {s.rule} for {s.resource} matches no resource of the "
                    f"stack: it suppresses nothing (reason given: {s.reason})."
                ),
                severity="low",
                enforcement="advisory",
                remediation="Name the resource as the plan does (its name or URN), or remove "
                "the entry.",
                location=Location(shown, _line_of(text, s.resource), f"{s.rule}.{KEY}"),
            )
        )
    return tuple(marked)


def _line_of(text: str, resource: str) -> int:
    needle = json.dumps(resource)
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1

"""Report shapes: the validate summary counts checks and subjects, JUnit's system-out is JSON,
Markdown has no column that no finding fills, related locations in every format."""

from __future__ import annotations

import dataclasses
import json
from xml.etree import ElementTree as ET

from conduit.report.model import Finding, Location, Outcome, Report
from conduit.report.render import RENDERERS


def _finding(rule: str, outcome: Outcome, subject: str = "", **extra) -> Finding:
    return Finding(
        rule=rule, outcome=outcome, message=f"{rule} {outcome}", subject=subject, **extra
    )


RUN = Report(
    command="validate",
    stack="staging",
    findings=(
        _finding("service-ready", Outcome.PASS, "backend", figures={"state": "READY", "n": 1}),
        _finding("service-ready", Outcome.FAIL, "auth"),
        _finding("secrets-resolvable", Outcome.PASS, "a"),
        _finding("secrets-resolvable", Outcome.WARN, "b"),
        _finding("health-endpoints", Outcome.SKIPPED),
        _finding("startup-storm", Outcome.ERROR),
    ),
)


def test_the_summary_counts_checks_and_subjects_as_judged() -> None:
    # service-ready: one subject failed, so the check failed; a warning passes its check.
    assert RUN.summary() == (
        "staging: 4 checks: 1 passed, 2 failed, 1 skipped; "
        "6 subjects: 3 passed, 2 failed, 1 skipped; 1 warning"
    )
    one = Report(command="validate", stack="s", findings=(_finding("x", Outcome.SKIPPED),))
    assert (
        one.summary()
        == "s: 1 check: 0 passed, 0 failed, 1 skipped; 1 subject: 0 passed, 0 failed, 1 skipped"
    )


def test_junit_system_out_is_the_figures_as_json() -> None:
    suite = ET.fromstring(RENDERERS["junit"](RUN))
    (case,) = [c for c in suite if c.get("name") == "backend"]
    assert json.loads(case.find("system-out").text) == {"n": 1, "state": "READY"}


def test_markdown_leaves_out_a_column_no_finding_fills() -> None:
    table = [line for line in RENDERERS["markdown"](RUN).splitlines() if line.startswith("|")]
    assert table[0] == "| | rule | subject | message |"
    assert table[1] == "|---|---|---|---|"
    assert table[2] == "| ✅ | `service-ready` | backend | service-ready pass |"
    # The health-endpoints row keeps its empty subject cell: other rows fill that column.
    assert "| ⏭️ | `health-endpoints` |  | health-endpoints skipped |" in table
    located = Report(
        command="preview",
        stack="s",
        findings=(_finding("r", Outcome.FAIL, location=Location("Pulumi.s.yaml", 4, "conduit:x")),),
    )
    lines = RENDERERS["markdown"](located).splitlines()
    assert "| | rule | at | message |" in lines
    assert "| ❌ | `r` | `Pulumi.s.yaml:4` | r fail |" in lines


def test_related_locations_are_listed_in_every_format() -> None:
    related = (Location("P.yaml", 7, "conduit:a.size", "a: DATABASE_POOL_SIZE 3"),)
    report = Report(
        command="preview",
        stack="s",
        source="P.yaml",
        findings=(
            _finding(
                "r",
                Outcome.FAIL,
                "urn:x",
                location=Location("P.yaml", 3, "conduit:b.maxInstances", "the least change"),
                related=related,
            ),
        ),
    )
    assert "      related: P.yaml:7 conduit:a.size (a: DATABASE_POOL_SIZE 3)\n" in RENDERERS[
        "text"
    ](report)
    assert "  - Related: `P.yaml:7` (`conduit:a.size`): a: DATABASE_POOL_SIZE 3" in RENDERERS[
        "markdown"
    ](report)
    (finding,) = json.loads(RENDERERS["json"](report))["findings"]
    assert finding["related"] == [
        {"file": "P.yaml", "line": 7, "key": "conduit:a.size", "note": "a: DATABASE_POOL_SIZE 3"}
    ]
    (result,) = json.loads(RENDERERS["sarif"](report))["runs"][0]["results"]
    assert result["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {"artifactLocation": {"uri": "P.yaml"}, "region": {"startLine": 7}},
            "message": {"text": "a: DATABASE_POOL_SIZE 3"},
        }
    ]
    # (A preview's JUnit cases come from its rules; as a validate run the finding is its case.)
    as_run = dataclasses.replace(report, command="validate")
    failure = ET.fromstring(RENDERERS["junit"](as_run)).find("testcase/failure")
    assert "\nRelated: P.yaml:7 (conduit:a.size): a: DATABASE_POOL_SIZE 3" in failure.text

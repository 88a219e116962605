"""Suppressions with a reason (the policy config's `suppress`), on the foreign program: reported
as suppressed with the reason in every format, never a pass; an entry matching nothing warns."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from tests.support.cli import conduit
from tests.support.project import ROOT

FOREIGN = ROOT / "tests" / "fixtures" / "foreign"
REPORT_SCHEMA = json.loads((ROOT / "conduit" / "report" / "report.schema.json").read_text())
SARIF_SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())
INSTANCE = "urn:pulumi:dev::shop::gcp:sql/databaseInstance:DatabaseInstance::db"
SERVICE = "urn:pulumi:dev::shop::gcp:cloudrun/service:Service::web"
REASON = "public IP until the migration ends (ticket OPS-12)"
CONFIG = {
    # By name: both of the instance's public-IP violations.
    "cloudsql-no-public-ip": {"suppress": [{"resource": "db", "reason": REASON}]},
    # By URN; and an entry that matches no resource.
    "cloudrun-request-timeout": {
        "suppress": [
            {"resource": SERVICE, "reason": "the default timeout is what this app wants"},
            {"resource": "old-web", "reason": "renamed since"},
        ]
    },
}


def _preview(tmp_path, config: dict, fmt: str):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(CONFIG if config is None else config, indent=2) + "\n")
    return conduit(
        "preview",
        "--cwd",
        str(FOREIGN),
        "--stack",
        "dev",
        "--policy-config",
        str(path),
        "--format",
        fmt,
    )


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("suppressed")
    found = {}
    for fmt in ("text", "markdown", "json", "sarif", "junit"):
        result = _preview(out, CONFIG, fmt)
        assert result.returncode == 1, result.stderr
        found[fmt] = result.stdout
    return found


def test_suppressed_violations_carry_their_reason_and_never_pass(reports) -> None:
    document = json.loads(reports["json"])
    jsonschema.validate(document, REPORT_SCHEMA)
    suppressed = [
        (f["rule"], f["subject"], f["properties"], f["suppression"])
        for f in document["findings"]
        if f["outcome"] == "suppressed"
    ]
    assert suppressed == [
        (
            "cloudsql-no-public-ip",
            INSTANCE,
            ["settings.ipConfiguration.ipv4Enabled"],
            REASON,
        ),
        (
            "cloudsql-no-public-ip",
            INSTANCE,
            ["settings.ipConfiguration.authorizedNetworks"],
            REASON,
        ),
        (
            "cloudrun-request-timeout",
            SERVICE,
            ["template.spec.timeoutSeconds"],
            "the default timeout is what this app wants",
        ),
    ]
    assert not any(f["outcome"] == "pass" for f in document["findings"])
    # The other mandatory findings still fail the run.
    assert document["exitCode"] == 1
    assert document["summary"].endswith(", 3 suppressed")


def test_an_entry_that_matches_no_resource_is_a_warning_at_its_line(reports) -> None:
    document = json.loads(reports["json"])
    unmatched = [f for f in document["findings"] if f["subject"] is None and f["outcome"] == "warn"]
    assert [
        (f["rule"], f["message"], f["location"]["line"], f["location"]["key"]) for f in unmatched
    ] == [
        (
            "cloudrun-request-timeout",
            "the suppression of cloudrun-request-timeout for old-web matches no resource of the "
            "stack: it suppresses nothing (reason given: renamed since).",
            17,
            "cloudrun-request-timeout.suppress",
        )
    ]


def test_every_format_says_suppressed_with_the_reason(reports) -> None:
    assert f"SUPPR cloudsql-no-public-ip [mandatory/critical] {INSTANCE}" in reports["text"]
    assert f"      suppressed: {REASON}\n" in reports["text"]
    assert f"  - Suppressed: {REASON}" in reports["markdown"]
    assert "| 🔕 | `cloudsql-no-public-ip` |" in reports["markdown"]
    sarif = json.loads(reports["sarif"])
    jsonschema.validate(sarif, SARIF_SCHEMA)
    results = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["level"], r["suppressions"]) for r in results] == [
        ("cloudsql-no-public-ip", "error", [{"kind": "external", "justification": REASON}]),
        ("cloudsql-no-public-ip", "error", [{"kind": "external", "justification": REASON}]),
        (
            "cloudrun-request-timeout",
            "error",
            [{"kind": "external", "justification": "the default timeout is what this app wants"}],
        ),
    ]
    suite = ET.fromstring(reports["junit"])
    case = next(
        c
        for c in suite.iter("testcase")
        if c.get("classname") == "cloudsql-no-public-ip" and c.get("name") == INSTANCE
    )
    assert [s.get("message") for s in case.iter("skipped")] == [f"suppressed: {REASON}"] * 2
    assert case.find("failure") is None


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"resource": "db"}, "'reason' is a required property"),
        ({"resource": "db", "reason": "  "}, "'  ' does not match"),
        ({"resource": "", "reason": "why"}, "should be non-empty"),
        ({"resource": "db", "reason": "why", "until": "2027"}, "Additional properties"),
    ],
)
def test_a_suppression_without_a_reason_is_refused_naming_the_key(tmp_path, entry, problem):
    result = _preview(tmp_path, {"cloudsql-no-public-ip": {"suppress": [entry]}}, "text")
    assert result.returncode == 2
    assert "policy.json: cloudsql-no-public-ip.suppress.0" in result.stderr
    assert problem in result.stderr

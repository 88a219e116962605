"""`conduit audit --state`: the pack over a deployed stack's `pulumi stack export`."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conduit.preview.plan import plan_stack
from tests.support.cli import conduit
from tests.support.project import ROOT
from tests.support.state import export

STATE = ROOT / "tests" / "fixtures" / "state" / "public-ip.json"
REPORT_SCHEMA = json.loads((ROOT / "conduit" / "report" / "report.schema.json").read_text())
SARIF_SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())
INSTANCE = "urn:pulumi:dev::shop::gcp:sql/databaseInstance:DatabaseInstance::db"


def test_a_deployed_public_ip_instance_is_that_violation_at_its_resource_in_the_export() -> None:
    result = conduit("audit", "--state", str(STATE), "--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, REPORT_SCHEMA)
    assert document["command"] == "audit" and document["stack"] == "dev"
    found = [(f["rule"], f["outcome"], f["subject"], f["location"]) for f in document["findings"]]

    def at(key: str) -> dict:
        return {"file": "tests/fixtures/state/public-ip.json", "line": 63, "key": key, "note": ""}

    # The public IP, and what an instance with no database flags on an older major also lacks.
    assert found == [
        ("cloudsql-no-public-ip", "fail", INSTANCE, at("settings.ipConfiguration.ipv4Enabled")),
        *(
            ("cloudsql-audit-logging", "fail", INSTANCE, at(f"settings.databaseFlags.{flag}"))
            for flag in (
                "log_connections",
                "log_disconnections",
                "log_checkpoints",
                "log_lock_waits",
                "cloudsql.enable_pgaudit",
            )
        ),
        ("cloudsql-latest-major-version", "warn", INSTANCE, at("databaseVersion")),
    ]
    # Providers and the stack are not analyzed; another provider's resource is counted.
    assert [r["type"] for r in document["resources"]] == [
        "gcp:servicenetworking/connection:Connection",
        "gcp:sql/databaseInstance:DatabaseInstance",
        "aws:s3/bucketV2:BucketV2",
    ]
    assert document["uninspected"] == [{"type": "aws:s3/bucketV2:BucketV2", "count": 1}]
    assert document["notes"] == [
        "2 secret value(s) of the export are ciphertext: unknown to the rules (export with "
        "--show-secrets to judge them)"
    ]
    assert "ciphertext" not in json.dumps(document["findings"])


def test_every_format_of_an_audit_has_the_same_exit(tmp_path) -> None:
    for fmt in ("text", "markdown", "sarif", "junit"):
        out = tmp_path / f"audit.{fmt}"
        result = conduit("audit", "--state", str(STATE), "--format", fmt, "--output", str(out))
        assert (result.returncode, result.stderr) == (1, ""), fmt
        assert result.stdout == "dev: 3 resources, 6 mandatory violations, 1 advisory\n"
    sarif = json.loads((tmp_path / "audit.sarif").read_text())
    jsonschema.validate(sarif, SARIF_SCHEMA)
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "tests/fixtures/state/public-ip.json"},
        "region": {"startLine": 63},
    }


def test_the_staging_stack_deployed_has_the_findings_of_its_preview_none(tmp_path) -> None:
    state = tmp_path / "staging.json"
    state.write_text(json.dumps(export(plan_stack(ROOT, "staging")), indent=2))
    result = conduit("audit", "--state", str(state), "--format", "json")
    document = json.loads(result.stdout)
    assert result.returncode == 0, [f["message"] for f in document["findings"]]
    assert [f for f in document["findings"] if f["outcome"] == "fail"] == []
    assert document["stack"] == "staging"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ('{"version": 2, "deployment": {}}', "version: expected 3"),
        ('{"version": 3, "deployment": {"resources": {}}}', "deployment.resources: a list"),
        ('{"version": 3, "deployment": {"resources": [{"urn": 1}]}}', "deployment.resources[0]"),
    ],
)
def test_a_bad_export_is_one_line_naming_the_file_and_key_exit_2(tmp_path, content, message):
    state = tmp_path / "bad.json"
    state.write_text(content)
    result = conduit("audit", "--state", str(state))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "bad.json" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_export_is_exit_2() -> None:
    result = conduit("audit", "--state", "no-such-export.json")
    assert result.returncode == 2 and "no-such-export.json" in result.stderr
    assert "Traceback" not in result.stderr

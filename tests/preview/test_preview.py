"""`conduit preview` end to end: exit codes, every format, schemas, and bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml

from tests.support.cli import conduit
from tests.support.project import ROOT, stack_config

INCIDENT = ROOT / "examples" / "incident"
REPORT_SCHEMA = json.loads((ROOT / "conduit" / "report" / "report.schema.json").read_text())
SARIF_SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())
INCIDENT_RULES = {
    "cloudrun-ingress-restricted",
    "cloudrun-startup-probe-covers-db-init",
    "cloudsql-connection-budget",
    "cloudsql-dedicated-core",
    "connector-capacity-covers-services",
    "connector-warm-capacity",
    "service-required-env-provided",
}


@pytest.fixture(scope="module")
def incident_reports(tmp_path_factory) -> dict[str, tuple[int, str]]:
    out = tmp_path_factory.mktemp("reports")
    reports = {}
    for fmt in ("text", "markdown", "json", "sarif", "junit"):
        path = out / f"report.{fmt}"
        result = conduit(
            "preview",
            "--cwd",
            str(INCIDENT),
            "--stack",
            "incident",
            "--format",
            fmt,
            "--output",
            str(path),
        )
        reports[fmt] = (result.returncode, path.read_text())
    return reports


def test_staging_preview_passes_and_prints_the_plan() -> None:
    result = conduit("preview")
    assert result.returncode == 0, result.stderr
    assert "gcp:vpcaccess/connector:Connector" in result.stdout
    assert "staging: 88 resources, no mandatory violations" in result.stdout


def test_production_preview_passes() -> None:
    result = conduit("preview", "--stack", "production")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no mandatory violations" in result.stdout
    # Nothing encrypted is left out; the one note says where JWT_SECRET_KEY's value comes from.
    assert "encrypted" not in result.stdout
    assert "note: secret JWT_SECRET_KEY: GENERATED (random)" in result.stdout
    assert "policy config: policies/config/production.json (the stack's own)" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif", "junit"])
def test_incident_exits_1_with_every_expected_finding(incident_reports, fmt: str) -> None:
    code, text = incident_reports[fmt]
    assert code == 1
    for rule in INCIDENT_RULES | {"connector-machine-type-advisory"}:
        assert rule in text, f"{fmt}: {rule} missing"


def test_json_report_matches_its_schema_and_the_findings(incident_reports) -> None:
    document = json.loads(incident_reports["json"][1])
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)
    failed = {f["rule"] for f in document["findings"] if f["outcome"] == "fail"}
    assert failed == INCIDENT_RULES
    assert document["exitCode"] == 1
    budget = next(f for f in document["findings"] if f["rule"] == "cloudsql-connection-budget")
    assert budget["location"] == {
        "file": "examples/incident/Pulumi.incident.yaml",
        "line": 17,
        "key": "conduit:database.tier",
        "note": "the least change: max_connections 50 -> 615",
    }
    assert [(r["line"], r["key"]) for r in budget["related"]] == [
        (25, "conduit:service.maxInstances"),
        (28, "conduit:service.databasePool.size"),
        (29, "conduit:service.databasePool.maxOverflow"),
    ]
    assert "no maxInstances fits" in budget["message"]


def test_sarif_report_matches_the_sarif_schema(incident_reports) -> None:
    document = json.loads(incident_reports["sarif"][1])
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results if r["level"] == "error"} == INCIDENT_RULES
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    # Relative to the repository's root, where code scanning looks (the project is --cwd'd).
    assert uris == {"examples/incident/Pulumi.incident.yaml"}


def test_junit_has_a_case_per_policy_and_resource(incident_reports) -> None:
    suite = ET.fromstring(incident_reports["junit"][1])
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases)
    assert int(suite.get("failures")) == 7
    failed = {c.get("classname") for c in cases if c.find("failure") is not None}
    assert failed == INCIDENT_RULES
    names = {(c.get("classname"), c.get("name").rsplit("::", 1)[-1]) for c in cases}
    assert ("cloudsql-dedicated-core", "staging-instance") in names
    assert ("cloudsql-connection-budget", "incident") in names


def test_markdown_puts_the_verdict_first_and_folds_details(incident_reports) -> None:
    text = incident_reports["markdown"][1]
    first = text.splitlines()[0]
    assert first.startswith("### ") and "7 mandatory violations" in first
    assert "<details><summary>Details and fixes</summary>" in text


def test_secrets_never_reach_a_report(tmp_path: Path) -> None:
    from google.protobuf import json_format

    from tests.support.program import of_type, plan

    # Staging generates secrets (each database user's password, the JWT key); the incident's
    # backend reads no password and its JWT secret is external, so it generates none.
    generated = []
    for record in of_type(plan("staging"), "random:index/randomPassword:RandomPassword"):
        result = json_format.MessageToDict(record.outputs)["result"]
        generated.append(result["value"] if isinstance(result, dict) else result)
    assert len(generated) == 3 and all(generated)
    formats = ("text", "markdown", "json", "sarif", "junit")
    written = conduit(
        "preview",
        "--stack",
        "staging",
        *(arg for fmt in formats for arg in ("--format", f"{fmt}={tmp_path / fmt}")),
    )
    assert written.returncode == 0, written.stderr
    for fmt in formats:
        text = (tmp_path / fmt).read_text()
        assert text and not [p for p in generated if p in text], fmt
    assert not [p for p in generated if p in written.stdout + written.stderr]


def _project_with(tmp_path: Path, config: dict, stack: str = "staging") -> Path:
    shutil.copy(ROOT / "__main__.py", tmp_path / "__main__.py")
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def test_a_bad_stack_file_exits_2_with_every_problem(tmp_path: Path) -> None:
    config = stack_config()
    config["conduit:services"]["auth"]["startupProbe"]["periodSeconds"] = 0
    config["conduit:network"]["connector"]["machineType"] = "n1-standard-1"
    project = _project_with(tmp_path, config)
    result = conduit("preview", "--cwd", str(project), "--policy-pack", str(ROOT / "policies"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert (
        "Pulumi.staging.yaml:87: conduit:services.auth.startupProbe.periodSeconds:" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_an_unknown_stack_exits_2() -> None:
    result = conduit("preview", "--stack", "qa")
    assert result.returncode == 2
    assert (
        "Pulumi.qa.yaml: no such stack file (stacks here: production, staging, staging-direct)"
        in result.stderr
    )


def test_a_bad_policy_config_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "policy.json"
    bad.write_text(json.dumps({"connector-warm-capacity": {"minInstancesFloor": 12}}))
    result = conduit("preview", "--policy-config", str(bad))
    assert result.returncode == 2
    assert (
        "policy.json: connector-warm-capacity.minInstancesFloor: 12 is greater than"
        in result.stderr
    )


def test_a_bad_format_exits_2_listing_the_formats() -> None:
    result = conduit("preview", "--format", "html")
    assert result.returncode == 2
    assert "choose from 'text', 'markdown', 'json', 'sarif', 'junit'" in result.stderr


def test_a_failing_program_exits_3_with_its_error(tmp_path: Path) -> None:
    project = _project_with(tmp_path, stack_config())
    (project / "__main__.py").write_text("raise RuntimeError('the program broke here')\n")
    result = conduit("preview", "--cwd", str(project), "--policy-pack", str(ROOT / "policies"))
    assert result.returncode == 3
    assert "the program broke here" in result.stderr


def test_a_failing_pack_exits_3_with_its_error(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("raise ImportError('rules module missing')\n")
    result = conduit("preview", "--policy-pack", str(pack))
    assert result.returncode == 3
    assert "rules module missing" in result.stderr


def test_encrypted_secret_values_are_left_out_offline(tmp_path: Path) -> None:
    """`pulumi config set --secret --path conduit:secretValues.X` nests a ciphertext: the
    offline preview cannot decrypt it, so the program generates that value instead."""
    config = stack_config()
    config["conduit:secretValues"] = {"JWT_SECRET_KEY": {"secure": "v1:abc:def"}}
    project = _project_with(tmp_path, config)
    result = conduit("preview", "--cwd", str(project), "--policy-pack", str(ROOT / "policies"))
    assert result.returncode == 0, result.stderr
    assert "no mandatory violations" in result.stdout
    assert "note: conduit:secretValues: encrypted, left out offline" in result.stdout


def test_one_preview_run_writes_several_formats(incident_reports, tmp_path) -> None:
    """The pull-request workflow's shape: Markdown and SARIF from one run, and JSON on stdout."""
    markdown, sarif = tmp_path / "md" / "incident.md", tmp_path / "incident.sarif"
    result = conduit(
        "preview",
        "--cwd",
        str(INCIDENT),
        "--stack",
        "incident",
        "--format",
        f"markdown={markdown}",
        "--format",
        f"sarif={sarif}",
        "--format",
        "json",
    )
    assert result.returncode == 1, result.stderr
    # The same reports a run per format writes (neither carries the run's duration).
    assert markdown.read_text() == incident_reports["markdown"][1]
    assert sarif.read_text() == incident_reports["sarif"][1]
    document = json.loads(result.stdout)
    assert document["summary"] == json.loads(incident_reports["json"][1])["summary"]
    every_file = conduit(
        "preview",
        "--cwd",
        str(INCIDENT),
        "--stack",
        "incident",
        "--format",
        f"text={tmp_path / 't'}",
    )
    # Nothing on stdout but the summary when every report goes to a file.
    assert every_file.stdout == (
        "incident: 19 resources, 7 mandatory violations, 6 advisories\n"
    ), every_file.stdout

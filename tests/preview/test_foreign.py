"""`conduit preview` of a Pulumi program Conduit did not write (tests/fixtures/foreign).

The program is the shape of public examples: a Cloud Run v1 service with its database password
in a plain env var and an exported `statuses[0].url`, a public-IP Cloud SQL instance, and the
password from `config.require_secret` (encrypted in the stack file). No `conduit:` key anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from conduit.preview.project import load_project
from conduit.preview.source_lines import line_of
from tests.support.cli import conduit
from tests.support.project import ROOT

FOREIGN = ROOT / "tests" / "fixtures" / "foreign"
PROGRAM = "tests/fixtures/foreign/__main__.py"
REPORT_SCHEMA = json.loads((ROOT / "conduit" / "report" / "report.schema.json").read_text())
SARIF_SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())
INSTANCE = "urn:pulumi:dev::shop::gcp:sql/databaseInstance:DatabaseInstance::db"
SERVICE = "urn:pulumi:dev::shop::gcp:cloudrun/service:Service::web"
# (rule, subject, line of __main__.py, property judged): each at the line that writes it, or at
# the constructor's argument that would hold what the program leaves out.
EXPECTED = [
    ("cloudsql-no-public-ip", INSTANCE, 17, "settings.ipConfiguration.ipv4Enabled"),
    ("cloudsql-no-public-ip", INSTANCE, 18, "settings.ipConfiguration.authorizedNetworks"),
    ("cloudsql-ssl-required", INSTANCE, 16, "settings.ipConfiguration.sslMode"),
    ("cloudsql-backups-and-pitr", INSTANCE, 14, "settings.backupConfiguration.enabled"),
    (
        "cloudsql-backups-and-pitr",
        INSTANCE,
        14,
        "settings.backupConfiguration.pointInTimeRecoveryEnabled",
    ),
    ("cloudsql-deletion-protection", INSTANCE, 13, "deletionProtection"),
    ("cloudsql-deletion-protection", INSTANCE, 14, "settings.deletionProtectionEnabled"),
    ("cloudsql-dedicated-core", INSTANCE, 15, "settings.tier"),
    # No databaseFlags at all: each logging flag of Checkov's and Trivy's checks is missing.
    *(
        ("cloudsql-audit-logging", INSTANCE, 14, f"settings.databaseFlags.{flag}")
        for flag in (
            "log_connections",
            "log_disconnections",
            "log_checkpoints",
            "log_lock_waits",
            "cloudsql.enable_pgaudit",
        )
    ),
    ("cloudsql-latest-major-version", INSTANCE, 11, "databaseVersion"),
    ("cloudrun-startup-probe-http", SERVICE, 34, "template.spec.containers.startupProbe"),
    ("cloudrun-liveness-probe", SERVICE, 34, "template.spec.containers.livenessProbe"),
    (
        "cloudrun-egress-through-connector",
        SERVICE,
        32,
        "template.metadata.annotations.run.googleapis.com/vpc-access-connector",
    ),
    (
        "cloudrun-secrets-by-reference",
        SERVICE,
        41,
        "template.spec.containers.envs.DATABASE_PASSWORD",
    ),
    ("cloudrun-dedicated-service-account", SERVICE, 33, "template.spec.serviceAccountName"),
    ("cloudrun-request-timeout", SERVICE, 33, "template.spec.timeoutSeconds"),
    ("cloudsql-private-network", INSTANCE, 16, "settings.ipConfiguration.privateNetwork"),
    # The service reaches the instance (its DATABASE_HOST) with no pool declared: not counted
    # as no connections, said at the env list where the pool would be.
    ("cloudsql-connection-budget", SERVICE, 37, "template.spec.containers.envs.DATABASE_POOL_SIZE"),
    # No alerts-cover-startup-path or continuous-validation-scheduled: they ask for Conduit's
    # alert labels and probe job, and judge only what Conduit's components built.
]
ADVISORIES = {"cloudsql-latest-major-version"}


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, tuple[int, str, str]]:
    out = tmp_path_factory.mktemp("foreign")
    found = {}
    for fmt in ("text", "markdown", "json", "sarif", "junit"):
        path = out / f"report.{fmt}"
        result = conduit(
            "preview",
            "--cwd",
            str(FOREIGN),
            "--stack",
            "dev",
            "--format",
            fmt,
            "--output",
            str(path),
        )
        found[fmt] = (result.returncode, path.read_text(), result.stderr)
    return found


def test_a_program_with_no_conduit_keys_is_not_asked_for_conduit_settings() -> None:
    assert not load_project(FOREIGN).is_conduit
    assert load_project(ROOT).is_conduit
    assert load_project(ROOT / "examples" / "incident").is_conduit


def test_every_format_exits_1_and_nothing_reaches_stderr(reports) -> None:
    for fmt, (code, _, stderr) in reports.items():
        assert (code, stderr) == (1, ""), fmt


def test_each_finding_is_at_the_line_of_the_program_that_writes_it(reports) -> None:
    document = json.loads(reports["json"][1])
    jsonschema.validate(document, REPORT_SCHEMA)
    found = [
        (f["rule"], f["subject"], f["location"]["line"], f["location"]["key"])
        for f in document["findings"]
    ]
    assert found == EXPECTED
    assert {f["location"]["file"] for f in document["findings"]} == {PROGRAM}
    outcomes = [f["outcome"] for f in document["findings"]]
    assert outcomes == ["warn" if rule in ADVISORIES else "fail" for rule, *_ in EXPECTED]


def test_text_markdown_and_junit_name_each_finding_at_its_program_line(reports) -> None:
    text, markdown = reports["text"][1], reports["markdown"][1]
    for rule, _, line, key in EXPECTED:
        assert f"      at {PROGRAM}:{line} {key}\n" in text, (rule, key)
        assert f"| `{rule}` |" in markdown and f"`{PROGRAM}:{line}`" in markdown, rule
        assert f"  - At `{PROGRAM}:{line}` (`{key}`)" in markdown, (rule, key)
    suite = ET.fromstring(reports["junit"][1])
    located = sorted(
        line
        for case in suite.iter("testcase")
        for element in case
        if element.tag in ("failure", "system-out") and element.text
        for line in element.text.splitlines()
        if line.startswith("At: ")
    )
    expected = sorted(f"At: {PROGRAM}:{line} ({key})" for _, _, line, key in EXPECTED)
    assert located == expected


def test_sarif_results_carry_the_program_line_as_their_physical_location(reports) -> None:
    document = json.loads(reports["sarif"][1])
    jsonschema.validate(document, SARIF_SCHEMA)
    run = document["runs"][0]
    located = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    ]
    assert located == [(rule, PROGRAM, line) for rule, _, line, _ in EXPECTED]
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert notes == [
        "not inspected by any rule: 1 x gcp:sql/database:Database",
        "not inspected by any rule: 1 x gcp:sql/user:User",
    ]


def test_what_no_rule_inspects_is_listed_with_counts_in_every_format(reports) -> None:
    document = json.loads(reports["json"][1])
    assert document["uninspected"] == [
        {"type": "gcp:sql/database:Database", "count": 1},
        {"type": "gcp:sql/user:User", "count": 1},
    ]
    text = reports["text"][1]
    assert (
        "Not inspected by any rule:\n     1  gcp:sql/database:Database\n     1  gcp:sql/user:User\n"
    ) in text
    markdown = reports["markdown"][1]
    assert "<summary>Not inspected by any rule</summary>" in markdown
    assert "| 1 | `gcp:sql/user:User` |" in markdown
    suite = ET.fromstring(reports["junit"][1])
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties == {
        "policyConfig": "standard defaults (the pack's own; no policies/config/dev.json)",
        "uninspected:gcp:sql/database:Database": "1",
        "uninspected:gcp:sql/user:User": "1",
    }


def test_the_report_names_the_config_it_could_not_decrypt_and_never_its_value(reports) -> None:
    document = json.loads(reports["json"][1])
    assert document["notes"] == [
        "not decrypted offline (a secret unknown to the program; rules that need the value "
        "report not-applicable): shop:dbPassword"
    ]
    ciphertext = "AAABAGpV0r2k8b9t3x8dJwGzZQ1mTq7bGm2cQx5c8Wk="
    assert all(ciphertext not in body for _, body, _ in reports.values())


def test_provider_computed_outputs_and_undecrypted_secrets_are_unknown_never_none() -> None:
    from pulumi.output import Unknown

    from conduit.preview import sdk
    from conduit.preview.plan import plan_stack

    plan = plan_stack(FOREIGN, "dev")
    assert plan.settings is None
    # `service.statuses[0].url`: the provider's, unknown at preview (None crashed the program).
    assert isinstance(plan.recording.stack_outputs["url"], Unknown)
    user = next(r for r in plan.custom_resources if r.type == "gcp:sql/user:User")
    password = user.inputs["password"]
    assert sdk.is_secret(password) and password["value"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert plan.recording.encrypted_config == ["shop:dbPassword"]
    sources = {r.name: r.source for r in plan.custom_resources}
    assert sources["db"] == (FOREIGN / "__main__.py", 9)
    assert sources["web"] == (FOREIGN / "__main__.py", 29)


def test_a_program_outside_the_repository_is_guarded_by_this_conduit_s_pack(tmp_path) -> None:
    import shutil

    project = tmp_path / "shop"
    shutil.copytree(FOREIGN, project)
    (project / "Pulumi.yaml").write_text(
        (FOREIGN / "Pulumi.yaml").read_text().replace("../../../.venv", str(ROOT / ".venv"))
    )
    result = conduit("preview", "--stack", "dev", "--format", "json", cwd=project)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert len(document["findings"]) == len(EXPECTED)
    assert {f["location"]["file"] for f in document["findings"]} == {"__main__.py"}


def test_a_property_is_located_at_its_keyword_dict_key_or_named_list_entry(tmp_path) -> None:
    program = tmp_path / "__main__.py"
    program.write_text(
        "import x\n"
        "r = x.Res(\n"
        "    'r',\n"
        "    settings={'ipConfiguration': {'sslMode': 'X'}},\n"
        "    template=x.T(\n"
        "        envs=[\n"
        "            x.Env(name='A', value='1'),\n"
        "            x.Env(name='B', value='2'),\n"
        "        ],\n"
        "    ),\n"
        ")\n"
    )
    assert line_of(program, 2, "settings.ipConfiguration.sslMode") == 4
    assert line_of(program, 2, "template.envs.B") == 8
    assert line_of(program, 2, "template.envs.C") == 6
    assert line_of(program, 2, "labels") == 2
    assert line_of(program, 2, "") == 2
    assert line_of(program, 3, "settings") == 3
    assert line_of(Path(tmp_path / "missing.py"), 5, "settings") == 5


def test_sarif_rates_only_security_rules_and_names_the_tool_version(reports) -> None:
    from importlib.metadata import version

    driver = json.loads(reports["sarif"][1])["runs"][0]["tool"]["driver"]
    assert driver["version"] == version("conduit")
    rated = {r["id"] for r in driver["rules"] if "security-severity" in r["properties"]}
    assert rated == {
        "cloudrun-dedicated-service-account",
        "cloudrun-ingress-restricted",
        "cloudrun-invoker-iam-enabled",
        "cloudrun-job-dedicated-service-account",
        "cloudrun-job-no-public-members",
        "cloudrun-job-secrets-by-reference",
        "cloudrun-no-public-invoker",
        "cloudrun-secrets-by-reference",
        "compute-firewall-no-public-admin-ports",
        "iam-no-project-privileged-roles",
        "cloudsql-no-public-ip",
        "cloudsql-private-network",
        "cloudsql-ssl-required",
        "cloudsql-user-per-client",
        "redis-auth-enabled",
        "redis-private-service-access",
        "redis-transit-encryption",
        "secret-accessor-least-privilege",
        "secret-no-unread-accessor-grant",
    }
    sizing = next(r for r in driver["rules"] if r["id"] == "cloudsql-connection-budget")
    assert sizing["properties"] == {"enforcement": "mandatory"}

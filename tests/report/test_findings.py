"""Findings as data from the rule to every reporter: errors, locations from provenance, cases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from conduit.components.provenance import settings_key
from conduit.core.exitcodes import ExitCode
from conduit.core.settings import ServiceEntrySettings, StackFile
from conduit.preview.run import PreviewRequest, default_policy_config, preview
from conduit.report.model import Finding, Location, Outcome
from conduit.report.render import RENDERERS
from tests.support.project import POLICIES_DIR, ROOT, single_service_config

INCIDENT = ROOT / "examples" / "incident"
INCIDENT_FILE = "examples/incident/Pulumi.incident.yaml"
CRASHING = """
from pulumi_policy import EnforcementLevel, Severity

from policies.guard.define import resource_policy


def _crash(props, config):
    raise KeyError("settings")


POLICIES.append(
    resource_policy(
        name="crashing-rule",
        description="A rule with a bug.",
        resource_types=("gcp:vpcaccess/connector:Connector",),
        check=_crash,
        severity=Severity.LOW,
        remediation="-",
        enforcement=EnforcementLevel.ADVISORY,
    )
)
"""


def _preview(project: Path, stack: str, pack: Path = POLICIES_DIR):
    config = default_policy_config(POLICIES_DIR, stack)
    return preview(PreviewRequest(project, stack, pack, config))


@pytest.fixture(scope="module")
def crashing_pack(tmp_path_factory) -> Path:
    """The real pack plus one advisory rule that raises while reading its resource."""
    pack = tmp_path_factory.mktemp("pack") / "policies"
    shutil.copytree(POLICIES_DIR, pack, ignore=shutil.ignore_patterns("__pycache__"))
    with (pack / "rules" / "__init__.py").open("a") as catalogue:
        catalogue.write(CRASHING)
    return pack


@pytest.fixture(scope="module")
def incident_with_a_crash(crashing_pack):
    return _preview(INCIDENT, "incident", crashing_pack)


def test_a_rule_that_raises_is_an_error_and_the_other_rules_still_report(
    incident_with_a_crash,
) -> None:
    report = incident_with_a_crash
    errors = [f for f in report.findings if f.outcome is Outcome.ERROR]
    assert [(f.rule, f.message, f.subject_type) for f in errors] == [
        (
            "crashing-rule",
            "rule crashing-rule raised KeyError: 'settings'",
            "gcp:vpcaccess/connector:Connector",
        )
    ]
    assert report.exit_code is ExitCode.INTERNAL_ERROR
    failed = {f.rule for f in report.findings if f.outcome is Outcome.FAIL}
    # The incident's six, and its public ingress with no reason given (issue #26).
    assert "cloudsql-connection-budget" in failed and len(failed) == 7


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif", "junit"])
def test_the_crash_shows_as_an_error_in_every_format(incident_with_a_crash, fmt: str) -> None:
    text = RENDERERS[fmt](incident_with_a_crash)
    assert "rule crashing-rule raised KeyError" in text
    if fmt == "json":
        document = json.loads(text)
        assert document["exitCode"] == 3
        assert [f["outcome"] for f in document["findings"] if f["rule"] == "crashing-rule"] == [
            "error"
        ]
    elif fmt == "junit":
        suite = ET.fromstring(text)
        assert suite.get("errors") == "1"
        (case,) = [c for c in suite if c.get("classname") == "crashing-rule"]
        assert case.find("error") is not None
    elif fmt == "sarif":
        (result,) = [
            r for r in json.loads(text)["runs"][0]["results"] if r["ruleId"] == "crashing-rule"
        ]
        assert result["level"] == "error"
    elif fmt == "text":
        assert "ERROR crashing-rule" in text
    else:
        assert "💥 | `crashing-rule`" in text


@pytest.fixture(scope="module")
def incident():
    return _preview(INCIDENT, "incident")


def test_a_finding_carries_its_data_and_its_settings_line(incident) -> None:
    (budget,) = [f for f in incident.findings if f.rule == "cloudsql-connection-budget"]
    assert budget == Finding(
        rule="cloudsql-connection-budget",
        outcome=Outcome.FAIL,
        message=(
            "services may open 500 connections but max_connections 50 leaves -8 after 53 "
            "reserved (3 by the policy's reservedConnections, 50 by the probe's label "
            "conduit-probe-connections) and 5 headroom (backend: 10 x 50 = 500, no maxInstances "
            "fits). Least change: max_connections 50 -> 615."
        ),
        severity="critical",
        enforcement="mandatory",
        subject=budget.subject,
        subject_type="gcp:sql/databaseInstance:DatabaseInstance",
        remediation=budget.remediation,
        # No service setting can fit 500 into -8: the tier (its default max_connections) is
        # where to change; the service's settings take part.
        location=Location(
            INCIDENT_FILE,
            17,
            "conduit:database.tier",
            "the least change: max_connections 50 -> 615",
        ),
        related=(
            Location(INCIDENT_FILE, 25, "conduit:service.maxInstances", "backend: maxInstances 10"),
            Location(
                INCIDENT_FILE,
                28,
                "conduit:service.databasePool.size",
                "backend: DATABASE_POOL_SIZE 50",
            ),
            Location(
                INCIDENT_FILE,
                29,
                "conduit:service.databasePool.maxOverflow",
                "backend: DATABASE_MAX_OVERFLOW 0",
            ),
        ),
        properties=(),
        observed=500,
        required="<= -8",
    )
    assert budget.subject.endswith("::staging-instance")
    assert budget.remediation.startswith("Lower maxInstances or the pool")


@pytest.mark.parametrize("fmt", ["text", "markdown", "junit"])
def test_every_fix_is_printed_once_per_finding(incident, fmt: str) -> None:
    text = RENDERERS[fmt](incident)
    if fmt == "junit":
        text = "".join(ET.fromstring(text).itertext())
    for finding in incident.findings:
        same = sum(f.remediation == finding.remediation for f in incident.findings)
        assert text.count(finding.remediation) == same, (fmt, finding.rule)


def test_json_keeps_the_fix_out_of_the_message(incident) -> None:
    for finding in json.loads(RENDERERS["json"](incident))["findings"]:
        assert finding["remediation"] and finding["remediation"] not in finding["message"]


def test_junit_has_a_case_only_for_types_a_rule_inspects() -> None:
    report = _preview(ROOT, "staging")
    suite = ET.fromstring(RENDERERS["junit"](report))
    inspects = {rule.name: rule.inspects for rule in report.rules}
    types = dict((urn, type_) for type_, urn in report.resources)
    stack_rules = [rule.name for rule in report.rules if rule.scope == "stack"]
    cases = suite.findall("testcase")
    for case in cases:
        rule, subject = case.get("classname"), case.get("name")
        assert (rule in stack_rules and subject == "staging") or types[subject] in inspects[rule]
    expected = len(stack_rules) + sum(
        type_ in rule.inspects
        for rule in report.rules
        if rule.scope == "resource"
        for type_, _ in report.resources
    )
    assert len(cases) == int(suite.get("tests")) == expected
    # What no rule inspects is listed beside the cases, never a green case.
    uninspected = {
        p.get("name"): p.get("value")
        for p in suite.iter("property")
        if p.get("name").startswith("uninspected:")
    }
    assert uninspected == {f"uninspected:{t}": str(n) for t, n in report.uninspected()}
    # 38 resources, 11 of them APIs no rule inspects: far fewer cases than rules x resources.
    assert expected < 100


def _services_stack(tmp_path: Path) -> Path:
    """The staging stack as a one-service stack file, with a bad probe."""
    for name in ("__main__.py", "Pulumi.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    config = single_service_config()
    config["conduit:service"]["startupProbe"]["failureThreshold"] = 3
    document = {"config": config}
    (tmp_path / "Pulumi.staging.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return tmp_path


def test_a_service_finding_points_into_the_service_block(tmp_path: Path) -> None:
    project = _services_stack(tmp_path)
    report = _preview(project, "staging")
    (finding,) = [f for f in report.findings if f.outcome is Outcome.FAIL]
    lines = (project / "Pulumi.staging.yaml").read_text().splitlines()
    assert finding.rule == "cloudrun-startup-probe-covers-db-init"
    assert finding.location.key == "conduit:service.startupProbe.failureThreshold"
    assert lines[finding.location.line - 1].strip() == "failureThreshold: 3"


def _two_services(tmp_path: Path, auth: dict) -> Path:
    """The committed staging stack (backend and auth) with `auth` changes to the auth service."""
    for name in ("__main__.py", "Pulumi.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    document = yaml.safe_load((ROOT / "Pulumi.staging.yaml").read_text())
    document["config"]["conduit:services"]["auth"].update(auth)
    (tmp_path / "Pulumi.staging.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return tmp_path


def _block(lines: list[str], key: str) -> range:
    """The 1-based lines of the block under `key:` (to the next line indented as much or less)."""
    start = next(i for i, line in enumerate(lines) if line.strip() == f"{key}:")
    depth = len(lines[start]) - len(lines[start].lstrip())
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if len(lines[i]) - len(lines[i].lstrip()) <= depth
        ),
        len(lines),
    )
    return range(start + 1, end + 1)


def test_two_services_that_fit_together_preview_clean() -> None:
    report = _preview(ROOT, "staging")
    # One advisory: POSTGRES_15, upgraded by a migration (cloudsql-latest-major-version).
    assert [(f.rule, f.outcome) for f in report.findings if f.outcome is not Outcome.PASS] == [
        ("cloudsql-latest-major-version", Outcome.WARN)
    ]
    services = [r for r in report.resources if r[0] == "gcp:cloudrunv2/service:Service"]
    assert len(services) == 2


def test_a_finding_on_one_of_several_services_points_into_its_own_block(tmp_path: Path) -> None:
    bad_auth = {
        "startupProbe": {"path": "/health", "failureThreshold": 3},
        "requiredEnv": ["JWT_SECRET", "LOG_LEVEL"],
    }
    project = _two_services(tmp_path, bad_auth)
    report = _preview(project, "staging")
    failed = {f.rule: f for f in report.findings if f.outcome is Outcome.FAIL}
    assert sorted(failed) == [
        "cloudrun-startup-probe-covers-db-init",
        "service-required-env-provided",
    ]
    lines = (project / "Pulumi.staging.yaml").read_text().splitlines()
    auth_block = _block(lines, "auth")
    probe, env = (
        failed["cloudrun-startup-probe-covers-db-init"],
        failed["service-required-env-provided"],
    )
    assert probe.subject.endswith("::staging-auth-service")
    assert probe.location.key == "conduit:services.auth.startupProbe.failureThreshold"
    assert probe.location.line in auth_block
    assert lines[probe.location.line - 1].strip() == "failureThreshold: 3"
    assert env.location.key == "conduit:services.auth.requiredEnv"
    assert env.location.line in auth_block
    assert lines[env.location.line - 1].strip() == "requiredEnv:"
    assert env.message == "JWT_SECRET is required; JWT_SECRET_KEY is set (secret jwt-secret-key)."
    assert (env.observed, env.required) == ("JWT_SECRET_KEY", "JWT_SECRET")


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("", "conduit:service"),
        ("template", "conduit:service.template"),
        ("template.scaling.maxInstanceCount", "conduit:service.maxInstances"),
        ("template.scaling.maxInstanceCount.x", "conduit:service.maxInstances.x"),
        ("template.containers.startupProbe", "conduit:service.startupProbe"),
        (
            "template.containers.startupProbe.periodSeconds",
            "conduit:service.startupProbe.periodSeconds",
        ),
    ],
)
def test_settings_key_is_the_longest_declared_prefix_plus_the_rest(path: str, key: str) -> None:
    sources = {
        "urn:s": {
            "": "conduit:service",
            "template.scaling.maxInstanceCount": "conduit:service.maxInstances",
            "template.containers.startupProbe": "conduit:service.startupProbe",
        }
    }
    assert settings_key(sources, "urn:s", path) == key
    assert settings_key(sources, "urn:other", path) is None


def _settings_paths(model: type, prefix: str) -> set[str]:
    paths = set()
    for name, info in model.model_fields.items():
        key = f"{prefix}.{info.alias or name}"
        paths.add(key)
        annotation = info.annotation
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            if isinstance(candidate, type) and hasattr(candidate, "model_fields"):
                paths |= _settings_paths(candidate, key)
    return paths


@pytest.mark.parametrize("stack", ["staging", "production", "staging-direct"])
def test_every_declared_source_is_a_settings_key(stack: str) -> None:
    from conduit.preview.plan import plan_stack

    plan = plan_stack(ROOT, stack)
    known = _settings_paths(StackFile, "").union({".gcp:region"})
    known = {k.lstrip(".") for k in known}
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    named = {f"conduit:secrets.{n}" for n in config.get("conduit:secrets", {})}
    named |= {f"conduit:externalSecrets.{n}" for n in config.get("conduit:externalSecrets", {})}
    named |= {
        f"conduit:alerting.channels.{team}" for team in config["conduit:alerting"]["channels"]
    }
    for name, service in config["conduit:services"].items():
        block = f"conduit:services.{name}"
        known |= {block} | {block + p for p in _settings_paths(ServiceEntrySettings, "")}
        named |= {f"{block}.env.{n}" for n in service.get("env", {})}
    declared = {key for paths in plan.recording.sources.values() for key in paths.values()}
    assert declared - known - named == set()
    # Every custom resource but the APIs and generated passwords names where it comes from.
    unsourced = {r.type for r in plan.custom_resources if r.urn not in plan.recording.sources}
    assert unsourced == {
        "gcp:projects/service:Service",
        "random:index/randomPassword:RandomPassword",
        "gcp:serviceaccount/account:Account",
    }


def test_validate_text_shows_the_fix_of_a_failed_check_and_not_of_a_pass() -> None:
    from conduit.report.model import Report

    failed = Finding(
        rule="health-endpoints",
        outcome=Outcome.FAIL,
        message="/health answered 503 3 times",
        remediation="Read the app's start-up log.",
        classification="application",
    )
    passed = Finding(
        rule="database-connect",
        outcome=Outcome.PASS,
        message="connected in 0.2 s",
        remediation="Never shown for a pass.",
    )
    report = Report("validate", "staging", (failed, passed), source="o.json")
    text = RENDERERS["text"](report)
    assert text.splitlines()[:6] == [
        "Validating staging: targets from o.json",
        "",
        "FAIL  health-endpoints",
        "      /health answered 503 3 times",
        "      fix: Read the app's start-up log.",
        "      classification: application",
    ]
    assert "Never shown" not in text


def test_the_incident_with_its_auth_service_shows_the_jwt_drift(tmp_path: Path) -> None:
    """The incident stack extended with the auth service, which reads JWT_SECRET while the
    stack provides JWT_SECRET_KEY: caught before deploy, pointing into the auth block."""
    project = tmp_path / "incident"
    shutil.copytree(INCIDENT, project)
    # The copy runs the project's program from its own place in the tree.
    (project / "__main__.py").write_text(
        f"import runpy\nrunpy.run_path({str(ROOT / '__main__.py')!r}, run_name='__main__')\n"
    )
    document = yaml.safe_load((INCIDENT / "Pulumi.incident.yaml").read_text())
    config = document["config"]
    backend = config.pop("conduit:service")
    del backend["name"], backend["requiredEnv"]
    auth = {**backend, "maxInstances": 1, "requiredEnv": ["JWT_SECRET"]}
    config["conduit:services"] = {"backend": backend, "auth": auth}
    (project / "Pulumi.incident.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    report = _preview(project, "incident")
    (drift,) = [f for f in report.findings if f.rule == "service-required-env-provided"]
    assert (drift.outcome, drift.message) == (
        Outcome.FAIL,
        "JWT_SECRET is required; JWT_SECRET_KEY is set (secret jwt-secret).",
    )
    assert drift.location.key == "conduit:services.auth.requiredEnv"
    assert report.exit_code == ExitCode.FINDINGS


def test_report_paths_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    from conduit.preview.locations import report_path

    project = tmp_path / "repo" / "infra" / "stacks"
    project.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    assert report_path(project / "Pulumi.x.yaml", project) == "infra/stacks/Pulumi.x.yaml"
    loose = tmp_path / "loose"
    loose.mkdir()
    assert report_path(loose / "Pulumi.x.yaml", loose) == "Pulumi.x.yaml"


def _staging_copy(tmp_path: Path) -> Path:
    """The issue's staging copy: a 1-vCPU tier (max_connections 100 by default), backend grown
    to maxInstances 100, auth as committed."""
    for name in ("__main__.py", "Pulumi.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    text = (ROOT / "Pulumi.staging.yaml").read_text()
    text = text.replace("tier: db-custom-2-7680", "tier: db-custom-1-3840")
    text = text.replace("    maxConnections: 400\n", "")
    text = text.replace(
        "      maxInstances: 10\n      concurrency", "      maxInstances: 100\n      concurrency", 1
    )
    (tmp_path / "Pulumi.staging.yaml").write_text(text)
    return tmp_path


def _line_of(lines: list[str], block: str, key: str) -> int:
    """The 1-based line of `key:` inside the block under `block:`."""
    return next(n for n in _block(lines, block) if lines[n - 1].strip().startswith(f"{key}:"))


def test_the_budget_is_located_at_the_setting_of_the_least_change(tmp_path: Path) -> None:
    project = _staging_copy(tmp_path)
    report = _preview(project, "staging")
    (budget,) = [f for f in report.findings if f.rule == "cloudsql-connection-budget"]
    lines = (project / "Pulumi.staging.yaml").read_text().splitlines()
    backend, auth = _block(lines, "backend"), _block(lines, "auth")
    file = "Pulumi.staging.yaml"

    def at(block: range, key: str, full: str, note: str) -> Location:
        line = next(n for n in block if lines[n - 1].strip().startswith(f"{key}:"))
        return Location(file, line, full, note)

    services = "conduit:services"
    assert budget == Finding(
        rule="cloudsql-connection-budget",
        outcome=Outcome.FAIL,
        message=(
            "services may open 3006 connections but max_connections 100 leaves 37 after 53 "
            "reserved (3 by the policy's reservedConnections, 50 by the probe's label "
            "conduit-probe-connections) and 10 headroom (auth: 2 x 3 = 6, no maxInstances fits "
            "with backend as it is; backend: 100 x 30 = 3000, largest safe maxInstances 1 with "
            "auth as it is). Least change: backend maxInstances 100 -> 1."
        ),
        severity="critical",
        enforcement="mandatory",
        subject=budget.subject,
        subject_type="gcp:sql/databaseInstance:DatabaseInstance",
        remediation=budget.remediation,
        location=at(
            backend,
            "maxInstances",
            f"{services}.backend.maxInstances",
            "the least change: backend maxInstances 100 -> 1",
        ),
        related=(
            at(auth, "maxInstances", f"{services}.auth.maxInstances", "auth: maxInstances 2"),
            at(auth, "size", f"{services}.auth.databasePool.size", "auth: DATABASE_POOL_SIZE 3"),
            at(
                auth,
                "maxOverflow",
                f"{services}.auth.databasePool.maxOverflow",
                "auth: DATABASE_MAX_OVERFLOW 0",
            ),
            at(
                backend,
                "size",
                f"{services}.backend.databasePool.size",
                "backend: DATABASE_POOL_SIZE 20",
            ),
            at(
                backend,
                "maxOverflow",
                f"{services}.backend.databasePool.maxOverflow",
                "backend: DATABASE_MAX_OVERFLOW 10",
            ),
            at(
                _block(lines, "conduit:database"),
                "tier",
                "conduit:database.tier",
                "max_connections 100 (the tier's default)",
            ),
            at(
                _block(lines, "conduit:successCriteria"),
                "concurrentConnections",
                "conduit:successCriteria.concurrentConnections",
                "reserves 50 connections for the probe",
            ),
        ),
        properties=(),
        observed=3006,
        required="<= 37",
    )
    sarif = json.loads(RENDERERS["sarif"](report))
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == budget.rule]
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": budget.location.line
    }
    assert [
        (r["physicalLocation"]["region"]["startLine"], r["message"]["text"])
        for r in result["relatedLocations"]
    ] == [(r.line, r.note) for r in budget.related]
    text = RENDERERS["text"](report)
    for related in budget.related:
        assert f"      related: {file}:{related.line} {related.key} ({related.note})\n" in text
    markdown = RENDERERS["markdown"](report)
    for related in budget.related:
        assert (
            f"  - Related: `{file}:{related.line}` (`{related.key}`): {related.note}\n" in markdown
        )


def test_the_probe_s_reservation_points_at_the_storm_when_the_storm_is_larger(
    tmp_path: Path,
) -> None:
    project = _staging_copy(tmp_path)
    path = project / "Pulumi.staging.yaml"
    path.write_text(path.read_text().replace("    tasks: 10\n", "    tasks: 60\n"))
    report = _preview(project, "staging")
    (budget,) = [f for f in report.findings if f.rule == "cloudsql-connection-budget"]
    lines = path.read_text().splitlines()
    assert "60 by the probe's label conduit-probe-connections" in budget.message
    assert budget.related[-1] == Location(
        "Pulumi.staging.yaml",
        _line_of(lines, "conduit:probeJob", "tasks"),
        "conduit:probeJob.tasks",
        "reserves 60 connections for the probe",
    )

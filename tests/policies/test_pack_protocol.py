"""The pack started as the Pulumi CLI starts it and driven over the analyzer gRPC protocol."""

from __future__ import annotations

import copy

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from conduit.preview import analyzer, policy_config
from conduit.preview.runner import ResourceRecord
from policies import rules
from tests.support.program import incident_plan, plan
from tests.support.project import POLICIES_DIR

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@pytest.fixture(scope="module")
def pack():
    with analyzer.running_pack(POLICIES_DIR) as running:
        info = analyzer.get_info(running)
        analyzer.configure(running, policy_config.reconcile(info, {}, "defaults"))
        yield running


def _record(type_: str, props: dict, name: str = "r") -> ResourceRecord:
    struct = struct_pb2.Struct()
    struct.update(props)
    urn = f"urn:pulumi:test::conduit::{type_}::{name}"
    return ResourceRecord(type_, name, urn, "", [], {}, "", True, struct, struct)


def test_analyzer_info_lists_every_policy_with_schema_defaults(pack) -> None:
    info = analyzer.get_info(pack)
    assert info.name == "conduit"
    assert len(info.policies) == len(rules.POLICIES)
    by_name = {p.name: p for p in info.policies}
    warm = by_name["connector-warm-capacity"]
    assert warm.enforcementLevel == analyzer_pb2.MANDATORY
    assert warm.configSchema.properties["minInstancesFloor"]["default"] == 3
    assert by_name["connector-machine-type-advisory"].enforcementLevel == analyzer_pb2.ADVISORY
    assert by_name["cloudsql-connection-budget"].policy_type == analyzer_pb2.POLICY_TYPE_STACK
    assert all(p.remediation_steps for p in info.policies)
    assert analyzer.get_plugin_info(pack).version


def test_analyze_reports_a_bad_connector(pack) -> None:
    record = _record(
        "gcp:vpcaccess/connector:Connector",
        {
            "name": "c",
            "region": "us-central1",
            "ipCidrRange": "10.8.0.0/24",
            "machineType": "f1-micro",
            "minInstances": 2,
            "maxInstances": 3,
        },
    )
    response = analyzer.analyze(pack, record)
    found = sorted((d.policyName, d.enforcementLevel) for d in response.diagnostics)
    assert found == [
        ("connector-cidr-is-28", analyzer_pb2.MANDATORY),
        ("connector-warm-capacity", analyzer_pb2.MANDATORY),
        ("connector-warm-capacity", analyzer_pb2.MANDATORY),
    ]
    for diagnostic in response.diagnostics:
        assert diagnostic.policyPackName == "conduit"
        assert diagnostic.message.startswith(diagnostic.description)


def test_unknown_values_at_preview_give_no_violation(pack) -> None:
    record = _record(
        "gcp:vpcaccess/connector:Connector",
        {
            "name": "c",
            "ipCidrRange": UNKNOWN_STRING,
            "machineType": "e2-standard-4",
            "minInstances": 3,
            "maxInstances": 10,
        },
    )
    assert list(analyzer.analyze(pack, record).diagnostics) == []


def test_malformed_properties_are_findings_not_crashes(pack) -> None:
    record = _record(
        "gcp:cloudrunv2/service:Service", {"name": "s", "template": {"containers": "oops"}}
    )
    response = analyzer.analyze(pack, record)
    assert response.diagnostics, "a malformed service must not pass silently"
    assert all("policy error" not in d.message for d in response.diagnostics)
    assert any("malformed properties" in d.message for d in response.diagnostics)


def test_committed_stacks_have_no_mandatory_violation(pack) -> None:
    for stack in ("staging", "production", "staging-direct"):
        raw = policy_config.load(POLICIES_DIR / "config" / f"{stack}.json")
        analyzer.configure(pack, policy_config.reconcile(analyzer.get_info(pack), raw, stack))
        records = plan(stack).custom_resources
        diagnostics = [d for r in records for d in analyzer.analyze(pack, r).diagnostics]
        diagnostics += list(analyzer.analyze_stack(pack, records).diagnostics)
        mandatory = [d for d in diagnostics if d.enforcementLevel == analyzer_pb2.MANDATORY]
        assert mandatory == [], f"{stack}: {[d.message for d in mandatory]}"
    analyzer.configure(pack, policy_config.reconcile(analyzer.get_info(pack), {}, "defaults"))


def test_configure_changes_levels_and_thresholds(pack) -> None:
    info = analyzer.get_info(pack)
    record = _record(
        "gcp:vpcaccess/connector:Connector",
        {
            "name": "c",
            "ipCidrRange": "10.8.0.0/28",
            "machineType": "e2-standard-4",
            "minInstances": 3,
            "maxInstances": 10,
        },
    )
    raw = {"connector-warm-capacity": {"enforcementLevel": "advisory", "minInstancesFloor": 5}}
    analyzer.configure(pack, policy_config.reconcile(info, raw, "test.json"))
    (diagnostic,) = analyzer.analyze(pack, record).diagnostics
    assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY
    assert "below the warm floor of 5" in diagnostic.message
    analyzer.configure(pack, policy_config.reconcile(info, {"all": "disabled"}, "test.json"))
    assert list(analyzer.analyze(pack, record).diagnostics) == []
    analyzer.configure(pack, policy_config.reconcile(info, {}, "defaults"))


def test_bad_policy_config_names_file_key_and_allowed_values(pack) -> None:
    info = analyzer.get_info(pack)
    raw = {
        "connector-warm-capacity": {"minInstancesFloor": "three"},
        "no-such-policy": "mandatory",
        "cloudsql-ssl-required": "strict",
    }
    with pytest.raises(policy_config.PolicyConfigError) as caught:
        policy_config.reconcile(info, raw, "p.json")
    problems = caught.value.problems
    assert len(problems) == 3, problems
    assert any(
        p.startswith("p.json: no-such-policy: no such policy in pack conduit") for p in problems
    )
    assert any(
        p.startswith(
            "p.json: cloudsql-ssl-required.enforcementLevel: unknown level 'strict'; "
            "allowed: advisory, mandatory, remediate, disabled"
        )
        for p in problems
    )
    assert any(
        p.startswith("p.json: connector-warm-capacity.minInstancesFloor: 'three'") for p in problems
    )


def test_a_bad_all_level_is_reported_once_at_its_key(pack) -> None:
    info = analyzer.get_info(pack)
    raw = {"all": "strict", "cloudsql-ssl-required": "mandatory"}
    with pytest.raises(policy_config.PolicyConfigError) as caught:
        policy_config.reconcile(info, raw, "p.json")
    assert caught.value.problems == [
        "p.json: all: unknown enforcement level 'strict'; "
        "allowed: advisory, mandatory, remediate, disabled"
    ]


def test_a_pack_that_fails_to_start_shows_its_error(tmp_path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("raise SystemExit('broken pack: no policies')\n")
    with pytest.raises(analyzer.PackError, match="broken pack: no policies"):
        with analyzer.running_pack(tmp_path) as pack:
            analyzer.get_info(pack)


INCIDENT_FINDINGS = sorted(
    [
        # The incident's stack had no alerts and nothing validating it: advisory by default.
        ("alerts-cover-startup-path", "staging-connector", analyzer_pb2.ADVISORY),
        ("alerts-cover-startup-path", "staging-instance", analyzer_pb2.ADVISORY),
        ("alerts-cover-startup-path", "staging-service", analyzer_pb2.ADVISORY),
        ("continuous-validation-scheduled", "staging-service", analyzer_pb2.ADVISORY),
        ("cloudrun-startup-probe-covers-db-init", "staging-service", analyzer_pb2.MANDATORY),
        ("cloudsql-connection-budget", "staging-instance", analyzer_pb2.MANDATORY),
        ("cloudsql-dedicated-core", "staging-instance", analyzer_pb2.MANDATORY),
        ("connector-capacity-covers-services", "staging-connector", analyzer_pb2.MANDATORY),
        ("connector-machine-type-advisory", "staging-connector", analyzer_pb2.ADVISORY),
        ("connector-warm-capacity", "staging-connector", analyzer_pb2.MANDATORY),
        ("service-required-env-provided", "staging-service", analyzer_pb2.MANDATORY),
        # Issue #26: public ingress with no reason given, an old PostgreSQL major.
        ("cloudrun-ingress-restricted", "staging-service", analyzer_pb2.MANDATORY),
        ("cloudsql-latest-major-version", "staging-instance", analyzer_pb2.ADVISORY),
    ]
)


def _findings(pack, records) -> list[tuple[str, str, int]]:
    found = [
        (d.policyName, r.name, d.enforcementLevel)
        for r in records
        for d in analyzer.analyze(pack, r).diagnostics
    ]
    by_urn = {r.urn: r.name for r in records}
    found += [
        (d.policyName, by_urn.get(d.urn, d.urn), d.enforcementLevel)
        for d in analyzer.analyze_stack(pack, records).diagnostics
    ]
    return sorted(found)


def test_the_incident_is_flagged_by_every_rule_concerned(pack) -> None:
    records = incident_plan().custom_resources
    assert _findings(pack, records) == INCIDENT_FINDINGS


def test_stack_rules_link_by_dependency_when_references_are_unknown(pack) -> None:
    """A first `pulumi preview`: the connector id and connection name are not known yet."""
    records = [copy.deepcopy(r) for r in incident_plan().custom_resources]
    for record in records:
        if record.type == "gcp:cloudrunv2/service:Service":
            props = json_format.MessageToDict(record.outputs)
            template = props["template"]
            template["vpcAccess"]["connector"] = UNKNOWN_STRING
            for env in template["containers"][0]["envs"]:
                if env["name"] in ("CLOUD_SQL_CONNECTION_NAME", "DATABASE_HOST"):
                    env["value"] = UNKNOWN_STRING
            record.outputs = json_format.ParseDict(props, struct_pb2.Struct())
        if record.type == "gcp:sql/databaseInstance:DatabaseInstance":
            props = json_format.MessageToDict(record.outputs)
            props["connectionName"] = UNKNOWN_STRING
            record.outputs = json_format.ParseDict(props, struct_pb2.Struct())
    assert _findings(pack, records) == INCIDENT_FINDINGS


@pytest.mark.parametrize(("stack", "peak"), [("staging", 50), ("production", 100)])
def test_the_instance_carries_the_validator_s_probe_peak_for_the_budget(
    stack: str, peak: int
) -> None:
    """One home for the number: successCriteria (or the storm, if larger) -> the instance's
    label -> the connection budget; no copy in the policy config."""
    recording = plan(stack)
    settings = recording.settings
    assert (
        settings.probe_peak_connections
        == peak
        == max(
            settings.success_criteria.concurrent_connections,
            settings.probe_job.tasks * settings.probe_job.connections_per_task,
        )
    )
    (instance,) = [r for r in recording.recording.resources if r.type.endswith("DatabaseInstance")]
    labels = json_format.MessageToDict(instance.inputs)["settings"]["userLabels"]
    assert labels == {"conduit-probe-connections": str(peak)}
    raw = policy_config.load(POLICIES_DIR / "config" / f"{stack}.json")
    assert "probeConnections" not in raw["cloudsql-connection-budget"]

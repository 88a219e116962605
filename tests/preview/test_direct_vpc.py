"""Direct VPC egress: the settings, the program under the mock runtime, the pack over the analyzer
protocol, and `conduit preview` on the committed staging-direct stack and its broken copies."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import json_format, struct_pb2

from conduit.core.loader import SettingsError, parse_settings
from conduit.preview import analyzer, policy_config
from tests.support.program import of_type, one, plan, props
from tests.support.project import POLICIES_DIR, ROOT, stack_config

SUBNET = "gcp:compute/subnetwork:Subnetwork"
SERVICE = "gcp:cloudrunv2/service:Service"
JOB = "gcp:cloudrunv2/job:Job"
SOURCE = "Pulumi.staging-direct.yaml"


def direct_config() -> dict:
    return stack_config("staging-direct")


def _error(config: dict) -> str:
    with pytest.raises(SettingsError) as caught:
        parse_settings(config, SOURCE)
    return str(caught.value)


# Settings: what cannot work is a settings error, before anything runs.


def test_the_committed_stack_is_direct_and_a_connector_stack_keeps_its_meaning() -> None:
    direct = parse_settings(direct_config(), SOURCE).network
    assert (direct.egress, direct.connector) == ("direct", None)
    assert (direct.subnet.name, direct.subnet.ip_cidr_range) == (
        "staging-run-egress",
        "10.9.0.0/24",
    )
    staging = parse_settings(stack_config(), "Pulumi.staging.yaml").network
    assert (staging.egress, staging.subnet) == ("connector", None)


@pytest.mark.parametrize(
    ("cidr", "problem"),
    [
        (
            "10.9.0.0/27",
            "conduit:network.subnet.ipCidrRange: must be /26 or larger for Direct VPC egress "
            "(Cloud Run reserves addresses 16 at a time), got /27",
        ),
        (
            "8.8.8.0/24",
            "conduit:network.subnet.ipCidrRange: must lie in 10.0.0.0/8, 172.16.0.0/12, "
            "192.168.0.0/16, 100.64.0.0/10, 240.0.0.0/4",
        ),
        (
            "10.60.128.0/24",
            "conduit:network.subnet.ipCidrRange: 10.60.128.0/24 overlaps privateServicesRange "
            "10.60.0.0/16: Google refuses overlapping ranges on one VPC",
        ),
        ("10.9.0/24", "conduit:network.subnet.ipCidrRange: not an IPv4 CIDR range"),
    ],
)
def test_a_subnet_that_cannot_work_is_a_settings_error(cidr: str, problem: str) -> None:
    config = direct_config()
    config["conduit:network"]["subnet"]["ipCidrRange"] = cidr
    assert f"{SOURCE}: {problem}" in _error(config)


def test_a_26_is_the_smallest_subnet_accepted() -> None:
    config = direct_config()
    config["conduit:network"]["subnet"]["ipCidrRange"] = "10.9.0.0/26"
    assert parse_settings(config, SOURCE).network.subnet.ip_cidr_range == "10.9.0.0/26"


def test_each_egress_path_takes_only_its_own_block() -> None:
    both = direct_config()
    both["conduit:network"]["connector"] = stack_config()["conduit:network"]["connector"]
    assert (
        f"{SOURCE}: conduit:network.connector: egress direct takes no connector block (a "
        "connector belongs to egress connector; allowed egress: connector | direct)"
    ) in _error(both)
    missing = direct_config()
    del missing["conduit:network"]["subnet"]
    assert f"{SOURCE}: conduit:network.subnet: egress direct needs a subnet block" in _error(
        missing
    )
    connector = stack_config()
    connector["conduit:network"]["subnet"] = direct_config()["conduit:network"]["subnet"]
    assert "conduit:network.subnet: egress connector takes no subnet block" in _error(connector)
    unknown = direct_config()
    unknown["conduit:network"]["egress"] = "peering"
    assert "conduit:network.egress: Input should be 'connector' or 'direct'" in _error(unknown)


# The program under the SDK's mock runtime.


def test_the_direct_stack_has_a_subnet_no_connector_and_interfaces_everywhere() -> None:
    p = plan("staging-direct")
    assert of_type(p, "gcp:vpcaccess/connector:Connector") == []
    urn, subnet = one(p, SUBNET)
    expected = {
        "name": "staging-run-egress",
        "region": "us-central1",
        "ipCidrRange": "10.9.0.0/24",
        "privateIpGoogleAccess": True,
    }
    assert {k: subnet[k] for k in expected} == expected, urn
    (subnet_record,) = of_type(p, SUBNET)
    (network,) = of_type(p, "gcp:compute/network:Network")
    network_name = json_format.MessageToDict(network.outputs)["name"]
    # Two services, the probe job and the four scheduled tiers' own jobs.
    users = of_type(p, SERVICE) + of_type(p, JOB)
    assert len(users) == 7
    for record in users:
        template = props(record)["template"]
        access = (template if record.type == SERVICE else template["template"])["vpcAccess"]
        assert access == {
            "networkInterfaces": [{"network": network_name, "subnetwork": "staging-run-egress"}],
            "egress": "PRIVATE_RANGES_ONLY",
        }, record.urn
        assert subnet_record.urn in record.dependencies, record.urn


def test_outputs_name_the_egress_path() -> None:
    direct = plan("staging-direct").recording.stack_outputs
    assert direct["egressPath"] == "direct"
    assert direct["subnetId"] == (
        "projects/acme-staging-direct/regions/us-central1/subnetworks/staging-run-egress"
    )
    assert "connectorId" not in direct
    staging = plan("staging").recording.stack_outputs
    assert staging["egressPath"] == "connector"
    assert staging["connectorId"].endswith("/connectors/staging-connector")
    assert "subnetId" not in staging


# The pack over the analyzer protocol, as the engine drives it.


@pytest.fixture(scope="module")
def pack():
    with analyzer.running_pack(POLICIES_DIR) as running:
        info = analyzer.get_info(running)
        raw = policy_config.load(POLICIES_DIR / "config" / "staging-direct.json")
        analyzer.configure(running, policy_config.reconcile(info, raw, "staging-direct"))
        yield running


def _findings(pack, records) -> list[tuple[str, str]]:
    found = [(d.policyName, r.name) for r in records for d in analyzer.analyze(pack, r).diagnostics]
    by_urn = {r.urn: r.name for r in records}
    found += [
        (d.policyName, by_urn.get(d.urn, d.urn))
        for d in analyzer.analyze_stack(pack, records).diagnostics
    ]
    return sorted(found)


OLD_MAJOR = ("cloudsql-latest-major-version", "staging-instance")
"""The one advisory of the committed stacks: POSTGRES_15, upgraded by a migration, not here."""


def _with_backend(records, change) -> list:
    changed = [copy.deepcopy(r) for r in records]
    for record in changed:
        if record.type == SERVICE and record.name == "staging-backend-service":
            # Analyze sends a resource's inputs, AnalyzeStack its outputs: change both alike.
            values = json_format.MessageToDict(record.outputs)
            change(values)
            record.outputs = json_format.ParseDict(values, struct_pb2.Struct())
            record.inputs = json_format.ParseDict(values, struct_pb2.Struct())
    return changed


def test_connector_rules_say_nothing_about_a_direct_stack_budget_rules_still_apply(pack) -> None:
    records = plan("staging-direct").custom_resources
    assert _findings(pack, records) == [OLD_MAJOR]

    def grow(values: dict) -> None:
        # ALL_TRAFFIC and 100 instances: the connector rules' business on a connector, not here.
        values["template"]["vpcAccess"]["egress"] = "ALL_TRAFFIC"
        values["template"]["scaling"]["maxInstanceCount"] = 100

    assert _findings(pack, _with_backend(records, grow)) == [
        ("cloudsql-connection-budget", "staging-instance"),
        OLD_MAJOR,
        ("direct-vpc-subnet-capacity", "staging-egress-subnet"),
    ]


def test_a_connector_window_on_direct_vpc_is_too_short(pack) -> None:
    def connector_window(values: dict) -> None:
        values["template"]["containers"][0]["startupProbe"]["failureThreshold"] = 12

    records = _with_backend(plan("staging-direct").custom_resources, connector_window)
    assert _findings(pack, records) == [
        OLD_MAJOR,
        ("direct-vpc-startup-probe", "staging-backend-service"),
    ]


# `conduit preview`, end to end.


def _preview(cwd: Path, stack: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conduit.cli", "preview", "--cwd", str(cwd), "--stack", stack],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy_with_subnet(tmp_path: Path, cidr: str) -> Path:
    text = (ROOT / SOURCE).read_text().replace("10.9.0.0/24", cidr)
    for name in ("__main__.py", "Pulumi.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    (tmp_path / SOURCE).write_text(text)
    (tmp_path / "policies").symlink_to(POLICIES_DIR)
    return tmp_path


def test_preview_of_the_committed_direct_stack_is_clean() -> None:
    result = _preview(ROOT, "staging-direct")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "gcp:compute/subnetwork:Subnetwork" in result.stdout
    assert "gcp:vpcaccess/connector:Connector" not in result.stdout
    assert "staging-direct: 88 resources, no mandatory violations, 1 advisory" in result.stdout


def test_preview_on_a_26_too_small_for_its_instances_exits_1(tmp_path: Path) -> None:
    result = _preview(_copy_with_subnet(tmp_path, "10.9.0.0/26"), "staging-direct")
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "subnet 10.9.0.0/26 has 60 usable addresses; Direct VPC egress needs 94: 2 x 26 "
        "instances (auth 2, backend 10, backend-probe 10 tasks, backend-probe-connectivity 1 "
        "tasks, backend-probe-connectivity-redis 1 tasks, backend-probe-performance 1 tasks, "
        "backend-probe-performance-redis 1 tasks) = 52, + 26 for revision roll-over (50 %), + 16 "
        "for the next reservation block; the smallest subnet that fits is a /25."
    ) in result.stdout
    assert f"at {SOURCE}:14 conduit:network.subnet.ipCidrRange" in result.stdout
    assert "1 mandatory violation" in result.stdout


def test_preview_on_a_27_is_a_settings_error(tmp_path: Path) -> None:
    result = _preview(_copy_with_subnet(tmp_path, "10.9.0.0/27"), "staging-direct")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"{SOURCE}:14: conduit:network.subnet.ipCidrRange: must be /26 or larger for Direct VPC "
        "egress (Cloud Run reserves addresses 16 at a time), got /27 (got '10.9.0.0/27')"
    )
    assert result.stdout == ""

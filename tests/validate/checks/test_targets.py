"""What the checks run against (conduit/validate/targets.py): the stack outputs, else the stack
file, and where a report says they came from."""

from __future__ import annotations

import pytest

from conduit.validate.targets import (
    ServiceTarget,
    Targets,
    TargetsError,
    from_outputs,
    with_service_urls,
)
from tests.support.checks import CRITERIA, SETTINGS, SUBNET_ID
from tests.support.google_stack import CONNECTOR


def test_the_egress_path_comes_from_the_outputs_else_the_stack_file() -> None:
    direct = {"egressPath": "direct", "subnetId": SUBNET_ID}
    targets = from_outputs(direct, "staging-direct", "o.json", None)
    assert (targets.egress_path, targets.subnet_id, targets.connector_id) == (
        "direct",
        SUBNET_ID,
        None,
    )
    assert from_outputs({}, "staging", "flags", SETTINGS).egress_path == "connector"
    # Outputs written before egressPath existed: a connector id says which path.
    assert from_outputs({"connectorId": CONNECTOR}, "s", "o.json", None).egress_path == "connector"
    assert from_outputs({}, "s", "o.json", None).egress_path is None


def test_targets_read_every_service_from_the_services_output() -> None:
    outputs = {
        "services": {
            "backend": {"url": "https://b.run.app", "healthEndpoints": ["/health", "/ready"]},
            "auth": {"url": "https://a.run.app"},
        }
    }
    targets = from_outputs(outputs, "staging", "o.json", None)
    assert targets.services == (
        ServiceTarget("backend", "https://b.run.app", ("/health", "/ready")),
        ServiceTarget("auth", "https://a.run.app", ("/health",)),
    )


def test_health_endpoints_the_outputs_leave_out_come_from_the_stack_file() -> None:
    targets = from_outputs({"serviceName": "backend"}, "staging", "o.json", SETTINGS)
    assert targets.services == (
        ServiceTarget("backend", None, ("/health", "/health/infrastructure")),
    )
    # No outputs at all: the stack file's services, by name.
    assert from_outputs({}, "staging", "flags", SETTINGS).services == targets.services


def test_service_urls_by_name_or_alone() -> None:
    two = Targets(
        stack="s", criteria=CRITERIA, services=(ServiceTarget("backend"), ServiceTarget("auth"))
    )
    named = with_service_urls(two, ["auth=http://127.0.0.1:9"])
    assert named.services[1] == ServiceTarget("auth", "http://127.0.0.1:9")
    with pytest.raises(TargetsError, match=r"several services \(backend, auth\); give NAME=URL"):
        with_service_urls(two, ["http://127.0.0.1:9"])
    with pytest.raises(TargetsError, match=r"no service 'web' in the stack \(services: backend"):
        with_service_urls(two, ["web=http://127.0.0.1:9"])
    with pytest.raises(TargetsError, match="must start with http:// or https://"):
        with_service_urls(two, ["auth=ftp://x"])
    alone = with_service_urls(Targets(stack="s", criteria=CRITERIA), ["https://x.run.app"])
    assert alone.services == (ServiceTarget(None, "https://x.run.app"),)


def test_the_stack_file_gives_what_the_outputs_leave_out() -> None:
    targets = from_outputs({}, "staging", "Pulumi.staging.yaml and flags", SETTINGS)
    assert (targets.project, targets.region, targets.probe_job) == (
        "acme-staging",
        "us-central1",
        "projects/acme-staging/locations/us-central1/jobs/backend-probe",
    )
    assert from_outputs({}, "local", "flags", None).probe_job is None


def test_a_validate_report_names_where_its_targets_came_from() -> None:
    from conduit.report.model import Report
    from conduit.report.render import RENDERERS

    report = Report(command="validate", stack="staging", findings=(), source="stack staging")
    assert RENDERERS["text"](report).splitlines()[0] == (
        "Validating staging: targets from stack staging"
    )

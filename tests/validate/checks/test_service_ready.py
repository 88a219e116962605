"""The `service-ready` check in-process (conduit/validate/checks/service_ready.py): each service is
Ready and its latest revision is ready and serving. Whole findings asserted, against the fake
Google APIs and real servers."""

from __future__ import annotations

import pytest
from google.cloud import run_v2

from conduit.core.failures import FailureClass
from conduit.report.model import Finding, Outcome
from conduit.validate.checks import service_ready
from conduit.validate.google import API_DOWN, NOT_FOUND
from conduit.validate.targets import ServiceTarget
from tests.support.checks import context
from tests.support.google_stack import PROJECT, REGION, SERVICE


def test_service_names_need_project_region_and_name() -> None:
    assert service_ready.service_names(context()) == [SERVICE]
    for missing in ({"project": None}, {"region": None}, {"services": (ServiceTarget(None),)}):
        assert service_ready.service_names(context(**missing)) == []


def test_a_ready_service_serving_its_latest_revision_passes(google) -> None:
    _, endpoint = google
    assert service_ready.run(context(endpoint)) == [
        Finding(
            rule="service-ready",
            outcome=Outcome.PASS,
            subject=SERVICE,
            figures={
                "state": "CONDITION_SUCCEEDED",
                "latestCreated": "backend-00002",
                "latestReady": "backend-00002",
                "traffic": {"backend-00002": 100},
            },
            message="Ready; revision backend-00002 serves 100%",
        )
    ]


def test_a_latest_revision_that_is_not_ready_and_takes_no_traffic_fails(google) -> None:
    fake, endpoint = google
    service = fake.objects[SERVICE]
    service.latest_created_revision = f"{SERVICE}/revisions/backend-00003"
    service.terminal_condition.state = run_v2.Condition.State.CONDITION_FAILED
    service.terminal_condition.message = "Revision 'backend-00003' is not ready"
    (finding,) = service_ready.run(context(endpoint))
    assert finding == Finding(
        rule="service-ready",
        outcome=Outcome.FAIL,
        subject=SERVICE,
        severity="critical",
        classification=FailureClass.INFRASTRUCTURE,
        figures={
            "state": "CONDITION_FAILED",
            "latestCreated": "backend-00003",
            "latestReady": "backend-00002",
            "traffic": {"backend-00002": 100},
        },
        message=(
            "terminal condition Ready is CONDITION_FAILED: Revision 'backend-00003' is not "
            "ready; latest created revision backend-00003 is not ready (ready: backend-00002); "
            "latest revision backend-00003 serves no traffic ({'backend-00002': 100})"
        ),
        remediation="Read the revision's start-up logs; see health-endpoints.",
    )


def test_a_ready_latest_revision_with_no_traffic_fails_alone(google) -> None:
    fake, endpoint = google
    fake.objects[SERVICE].traffic_statuses = [
        run_v2.TrafficTargetStatus(revision="backend-00001", percent=100),
        run_v2.TrafficTargetStatus(revision="backend-00002", percent=0),
    ]
    (finding,) = service_ready.run(context(endpoint))
    assert (finding.outcome, finding.message) == (
        Outcome.FAIL,
        "latest revision backend-00002 serves no traffic "
        "({'backend-00001': 100, 'backend-00002': 0})",
    )


def test_traffic_to_latest_without_a_revision_name_counts_for_the_ready_one(google) -> None:
    fake, endpoint = google
    fake.objects[SERVICE].traffic_statuses = [run_v2.TrafficTargetStatus(percent=1)]
    (finding,) = service_ready.run(context(endpoint))
    assert (finding.outcome, finding.figures["traffic"]) == (Outcome.PASS, {"backend-00002": 1})


def test_service_ready_reports_an_api_refusal_as_the_validator_s_access(google) -> None:
    fake, endpoint = google
    fake.errors[SERVICE] = 403
    (finding,) = service_ready.run(context(endpoint))
    # The client library's message names the local URL (its port changes): matched, not pinned.
    assert finding.message.startswith(f"permission denied: GET {endpoint}/v2/{SERVICE}?")
    assert "injected 403 for " in finding.message
    assert finding == Finding(
        rule="service-ready",
        outcome=Outcome.FAIL,
        subject=SERVICE,
        severity="high",
        classification=FailureClass.VALIDATOR_ACCESS,
        message=finding.message,
        remediation=(
            "Grant the validator's account `roles/run.viewer`: the account that runs `conduit "
            "validate` (`gcloud auth list`; in a workflow, its service account)."
        ),
    )


def test_a_404_from_google_is_configuration_with_its_own_remedy(google) -> None:
    fake, endpoint = google
    fake.errors[SERVICE] = 404
    (finding,) = service_ready.run(context(endpoint))
    assert (finding.classification, finding.remediation) == (FailureClass.CONFIGURATION, NOT_FOUND)
    fake.errors[SERVICE] = 503
    (down,) = service_ready.run(context(endpoint))
    assert (down.classification, down.remediation) == (FailureClass.INFRASTRUCTURE, API_DOWN)


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"services": ()}, "no stack outputs were read (--outputs or --stack), so no services"),
        (
            {"project": None, "region": None, "source": "o.json"},
            "the outputs file o.json has no project, region",
        ),
        (
            {"region": None, "source": "stack staging"},
            "the outputs of stack staging have no region",
        ),
    ],
)
def test_service_ready_without_a_service_is_skipped(targets: dict, message: str) -> None:
    assert service_ready.run(context(**targets)) == [
        Finding(rule="service-ready", outcome=Outcome.SKIPPED, severity="low", message=message)
    ]


# several services


def test_every_service_of_the_stack_is_judged_on_its_own(google) -> None:
    fake, endpoint = google
    auth = f"projects/{PROJECT}/locations/{REGION}/services/auth"
    fake.objects[auth] = run_v2.Service.deserialize(run_v2.Service.serialize(fake.objects[SERVICE]))
    fake.objects[auth].name = auth
    fake.objects[auth].latest_created_revision = f"{auth}/revisions/auth-00009"
    ctx = context(endpoint, services=(ServiceTarget("backend"), ServiceTarget("auth")))
    ready, not_ready = service_ready.run(ctx)
    assert (ready.subject, ready.outcome) == (SERVICE, Outcome.PASS)
    assert (not_ready.subject, not_ready.outcome) == (auth, Outcome.FAIL)
    assert not_ready.message.startswith("latest created revision auth-00009 is not ready")

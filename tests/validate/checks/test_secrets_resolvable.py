"""The `secrets-resolvable` check in-process (conduit/validate/checks/secrets_resolvable.py): every
secret the service references has an enabled latest version. Whole findings asserted, against
the fake Google APIs and real servers."""

from __future__ import annotations

import pytest
from google.cloud import secretmanager

from conduit.core.failures import FailureClass
from conduit.report.model import Finding, Outcome
from conduit.validate.checks import secrets_resolvable
from conduit.validate.google import API_DOWN
from tests.support.checks import context
from tests.support.google_stack import PROJECT


def _version(name: str) -> str:
    return f"projects/{PROJECT}/secrets/{name}/versions/latest"


def test_every_secret_with_an_enabled_latest_version_passes(google) -> None:
    _, endpoint = google
    assert secrets_resolvable.run(context(endpoint)) == [
        Finding(
            rule="secrets-resolvable",
            outcome=Outcome.PASS,
            subject=_version("backend-db-password"),
            message="DATABASE_PASSWORD: latest version enabled",
        ),
        Finding(
            rule="secrets-resolvable",
            outcome=Outcome.PASS,
            subject=_version("jwt-secret-key"),
            message="JWT_SECRET_KEY: latest version enabled",
        ),
    ]


def test_a_disabled_or_missing_secret_is_configuration(google) -> None:
    fake, endpoint = google
    fake.objects[_version("jwt-secret-key")].state = secretmanager.SecretVersion.State.DISABLED
    del fake.objects[_version("backend-db-password")]
    missing, disabled = secrets_resolvable.run(context(endpoint))
    assert disabled == Finding(
        rule="secrets-resolvable",
        outcome=Outcome.FAIL,
        subject=_version("jwt-secret-key"),
        severity="critical",
        classification=FailureClass.CONFIGURATION,
        message="JWT_SECRET_KEY: latest version is DISABLED",
        remediation="Enable a version (or add one) so the revision can read it.",
    )
    assert (missing.outcome, missing.classification, missing.subject) == (
        Outcome.FAIL,
        FailureClass.CONFIGURATION,
        _version("backend-db-password"),
    )
    assert missing.message.startswith("DATABASE_PASSWORD: not found: ")
    assert missing.remediation == (
        "Create the secret with a version, or fix its id in conduit:secrets."
    )


@pytest.mark.parametrize(
    ("missing", "key"), [({"project": None}, "project"), ({"secret_ids": {}}, "secretIds")]
)
def test_secrets_without_a_project_or_ids_are_skipped(missing: dict, key: str) -> None:
    ((finding),) = secrets_resolvable.run(context(source="o.json", **missing))
    assert (finding.outcome, finding.message) == (
        Outcome.SKIPPED,
        f"the outputs file o.json has no {key}",
    )


def test_secrets_skipped_and_failed_findings_name_their_check(google) -> None:
    assert secrets_resolvable.run(context(secret_ids={}, source="stack staging")) == [
        Finding(
            rule="secrets-resolvable",
            outcome=Outcome.SKIPPED,
            severity="low",
            message="the outputs of stack staging have no secretIds",
        )
    ]
    fake, endpoint = google
    fake.errors[_version("jwt-secret-key")] = 500
    failed = [f for f in secrets_resolvable.run(context(endpoint)) if f.outcome is Outcome.FAIL]
    assert [(f.rule, f.classification, f.remediation) for f in failed] == [
        ("secrets-resolvable", FailureClass.INFRASTRUCTURE, API_DOWN)
    ]

"""The validator's own access as its own class: no credentials, a token that cannot be minted.

`conduit validate` runs with Google's real client libraries and no `--api-endpoint`, in an
environment with no Application Default Credentials (no key file, an empty gcloud config, no
metadata server): the libraries fail before any request leaves the machine. The 401/403 case is
driven against the local fake (tests/validate/checks, tests/validate/test_validate.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conduit.core.failures import FailureClass
from conduit.core.teams import TEAM_OF_CLASS
from tests.support.google_stack import CONNECTOR, INSTANCE, PROJECT, REGION, SECRETS
from tests.support.http_servers import StandIn
from tests.support.postgres import free_port
from tests.support.project import ROOT

JOB = f"projects/{PROJECT}/locations/{REGION}/jobs/backend-probe"
GOOGLE_CHECKS = {
    # check: the roles its remedy names
    "service-ready": "`roles/run.viewer`",
    "secrets-resolvable": "`roles/secretmanager.viewer`",
    "config-drift": "`roles/run.viewer` and `roles/vpcaccess.viewer` and `roles/cloudsql.viewer`",
    "database-connect": "`roles/run.jobsExecutorWithOverrides` and `roles/logging.viewer`",
    "redis-connect": "`roles/run.jobsExecutorWithOverrides` and `roles/logging.viewer`",
    "startup-storm": "`roles/run.jobsExecutorWithOverrides` and `roles/logging.viewer`",
    "connector-scaling": "`roles/vpcaccess.viewer`",
    "service-startup-rate": "`roles/logging.viewer`",
}


def _outputs(tmp_path: Path, url: str) -> Path:
    """A stack's outputs: two services, the connector, secrets, Redis and the probe job."""
    path = tmp_path / "outputs.json"
    path.write_text(
        json.dumps(
            {
                "project": PROJECT,
                "region": REGION,
                "services": {"backend": {"url": url}, "auth": {"url": url}},
                "connectorId": CONNECTOR,
                "sqlConnectionName": f"{PROJECT}:{REGION}:{INSTANCE}",
                "secretIds": SECRETS,
                "redisHost": "10.60.1.4",
                "probeJob": JOB,
            }
        )
    )
    return path


def _validate(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`conduit validate` where Google's libraries find no credentials of their own."""
    home = tmp_path / "home"
    (home / "gcloud").mkdir(parents=True, exist_ok=True)
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GOOGLE_APPLICATION_CREDENTIALS", "CONDUIT_ID_TOKEN")
        and not k.startswith(("CLOUDSDK_", "GCE_", "GOOGLE_CLOUD"))
    }
    clean |= {
        "HOME": str(home),
        "CLOUDSDK_CONFIG": str(home / "gcloud"),
        # No metadata server: google-auth's check is skipped (and would find a closed port).
        "NO_GCE_CHECK": "True",
        "GCE_METADATA_HOST": "127.0.0.1:9",
        "GCE_METADATA_IP": "127.0.0.1:9",
        # Never the internet: a request that got past the credentials would meet a closed port.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    return subprocess.run(
        [sys.executable, "-m", "conduit.cli", "validate", "--health-wait", "2", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_credentials_each_google_check_fails_once_as_the_validator_s_access(
    tmp_path: Path,
) -> None:
    web = StandIn("ok")
    try:
        path = _outputs(tmp_path, web.url)
        args = ("--stack", "staging", "--outputs", str(path))
        result = _validate(tmp_path, {}, *args, "--format", "json")
        text = _validate(tmp_path, {}, *args)
    finally:
        web.stop()
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    failed = [f for f in findings if f["outcome"] != "pass"]
    # One finding per check that needed Google; health-endpoints (plain http here) passes.
    assert sorted(f["rule"] for f in failed) == sorted(GOOGLE_CHECKS)
    assert {(f["rule"], f["outcome"]) for f in findings} - {
        (f["rule"], f["outcome"]) for f in failed
    } == {("health-endpoints", "pass")}
    for finding in failed:
        rule = finding["rule"]
        # The connector is connector-scaling's one subject; the others fail for the check.
        subject = CONNECTOR if rule == "connector-scaling" else None
        assert (finding["outcome"], finding["classification"], finding["subject"]) == (
            "fail",
            "validator-access",
            subject,
        ), rule
        assert finding["message"].endswith(
            "no Google credentials: Your default credentials were not found. To set up "
            "Application Default Credentials, see "
            "https://cloud.google.com/docs/authentication/external/set-up-adc for more "
            "information."
        ), rule
        assert finding["remediation"] == (
            "The validator has no Google credentials: run `gcloud auth application-default "
            "login` where you run it, or in a workflow authenticate first "
            "(google-github-actions/auth with the workflow's identity); its account needs "
            f"{GOOGLE_CHECKS[rule]}."
        ), rule
    assert text.returncode == 1
    # (The staging backend's second health endpoint is /health/infrastructure: a path, no class.)
    said = (text.stdout + text.stderr).replace("/health/infrastructure", "/health/...")
    assert "infrastructure" not in said
    assert "classification: validator-access" in text.stdout
    assert text.stdout.count("fix: The validator has no Google credentials") == len(GOOGLE_CHECKS)
    assert text.stdout.rstrip().endswith(
        "staging: 9 checks: 1 passed, 8 failed, 0 skipped; "
        "11 subjects: 3 passed, 8 failed, 0 skipped"
    )


def test_a_token_that_cannot_be_minted_is_the_validator_s_access(tmp_path: Path) -> None:
    """User credentials (as `gcloud auth application-default login` writes them) whose token
    endpoint refuses: the refresh fails before any API is asked. (A service-account key is no
    such case: Google's libraries sign their own JWT for it and would go straight to the API.)"""
    key = tmp_path / "adc.json"
    key.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "id.apps.googleusercontent.com",
                "client_secret": "not-a-secret",
                "refresh_token": "1//refresh",
                "token_uri": f"http://127.0.0.1:{free_port()}/token",
            }
        )
    )
    path = _outputs(tmp_path, "http://127.0.0.1:9")
    result = _validate(
        tmp_path,
        {"GOOGLE_APPLICATION_CREDENTIALS": str(key)},
        "--outputs",
        str(path),
        "--only",
        "service-ready,connector-scaling",
        "--format",
        "json",
    )
    assert result.returncode == 1, result.stderr
    ready, scaling = json.loads(result.stdout)["findings"]
    assert (ready["rule"], ready["classification"], ready["subject"]) == (
        "service-ready",
        "validator-access",
        None,
    )
    assert ready["message"].startswith("no access token: TransportError: ")
    assert ready["remediation"] == (
        "The validator's credentials could not mint a token: run `gcloud auth "
        "application-default login` again, or check the workflow's identity (its workload "
        "identity provider and service account); its account needs `roles/run.viewer`."
    )
    assert (scaling["classification"], scaling["subject"]) == ("validator-access", CONNECTOR)
    assert scaling["message"].startswith("connector: no access token: TransportError: ")


def test_the_validator_s_access_pages_no_team() -> None:
    """Alerts route infrastructure, configuration and application; never validator-access."""
    assert FailureClass.VALIDATOR_ACCESS not in TEAM_OF_CLASS
    assert set(TEAM_OF_CLASS) == {
        FailureClass.INFRASTRUCTURE,
        FailureClass.CONFIGURATION,
        FailureClass.APPLICATION,
    }

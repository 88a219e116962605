"""What a new user and an on-call engineer meet first: help, version, and runs that checked
nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conduit.validate.checks import CHECKS
from tests.support.cli import conduit
from tests.support.http_servers import StandIn
from tests.support.project import ROOT


def test_version() -> None:
    result = conduit("--version")
    assert (result.returncode, result.stdout) == (0, "conduit 0.1.0\n")


def test_validate_help_shows_defaults_every_check_id_and_an_example() -> None:
    text = conduit("validate", "--help").stdout
    assert "seconds for the whole run (default: 300.0)" in text
    assert "(default: 60.0)" in text
    for check in CHECKS:
        assert f"  {check.ID} " in text, check.ID
    assert "example:\n  conduit validate --stack staging" in text


def test_probe_and_preview_help_show_defaults_and_an_example() -> None:
    probe = conduit("probe", "--help").stdout
    assert "K concurrent connections (default: 1)" in probe
    assert "seconds for the whole probe (default: 30.0)" in probe
    assert "example:\n  CONDUIT_DSN=" in probe
    preview = conduit("preview", "--help").stdout
    assert "(default: staging)" in preview and "example:\n  conduit preview" in preview


def test_a_validation_that_checked_nothing_exits_2_and_says_what_was_missing() -> None:
    result = conduit("validate", "--format", "json")
    assert result.returncode == 2, result.stderr
    report = json.loads(result.stdout)
    assert {f["outcome"] for f in report["findings"]} == {"skipped"}
    last = result.stderr.splitlines()[-1]
    assert last.startswith("nothing to validate: every check was skipped (service-ready: ")
    assert last.endswith(
        "Give what they need (--stack, --outputs, --service-url, --dsn), or --allow-empty to "
        "accept an empty run"
    )
    assert conduit("validate", "--allow-empty").returncode == 0


def test_a_check_selected_with_only_that_had_to_skip_is_a_failure() -> None:
    result = conduit("validate", "--only", "health-endpoints", "--format", "json")
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["outcome"], finding["classification"], finding["message"]) == (
        "fail",
        "configuration",
        "selected with --only but not run: no --service-url, and no stack outputs were read "
        "(--outputs or --stack), so no services.<name>.url (or serviceUrl)",
    )


def test_validate_with_a_stack_and_a_url_needs_no_pulumi_cli_and_checks_its_endpoints() -> None:
    """No `pulumi` on PATH: the URL is given, the stack file gives the health endpoints."""
    server = StandIn("ok")
    no_cli = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "conduit.cli",
                "validate",
                "--stack",
                "staging",
                "--service-url",
                f"backend={server.url}",
                "--service-url",
                f"auth={server.url}/auth",
                "--only",
                "health-endpoints",
                "--format",
                "json",
            ],
            cwd=ROOT,
            env=no_cli,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    subjects = [f["subject"] for f in json.loads(result.stdout)["findings"]]
    assert subjects == [
        f"{server.url}/health",
        f"{server.url}/health/infrastructure",
        f"{server.url}/auth/health",
    ]


def test_an_external_secret_needs_no_second_listing_in_the_policy_config(project_copy) -> None:
    """conduit:externalSecrets alone is enough: the service carries it to the pack."""
    from tests.support.project import stack_config

    config = stack_config()
    config["conduit:externalSecrets"] = {"STRIPE_KEY": "stripe-key"}
    project = project_copy(config)
    result = conduit(
        "preview",
        "--cwd",
        str(project),
        "--policy-pack",
        str(ROOT / "policies"),
        "--policy-config",
        str(ROOT / "policies" / "config" / "staging.json"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no mandatory violations" in result.stdout

"""`conduit validate` reaches a private service: an identity token given, or fetched from
Application Default Credentials through a local fake of Google's token endpoint; never printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.fake_token_endpoint import FakeTokenEndpoint
from tests.support.http_servers import StandIn
from tests.support.project import ROOT

TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWNsYWltcw.c2lnbmF0dXJl"


def _validate(url: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CONDUIT_ID_TOKEN",)}
    clean.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "conduit.cli",
            "validate",
            "--service-url",
            url,
            "--only",
            "health-endpoints",
            "--health-wait",
            "3",
            *args,
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_given_token_reaches_the_private_service_and_is_never_printed() -> None:
    server = StandIn("ok", token=TOKEN)
    try:
        for fmt in ("text", "json", "junit", "markdown"):
            result = _validate(server.url, {"CONDUIT_ID_TOKEN": TOKEN}, "--format", fmt)
            assert result.returncode == 0, result.stdout + result.stderr
            assert TOKEN not in result.stdout + result.stderr, fmt
        assert set(server.authorizations) == {f"Bearer {TOKEN}"}
        flag = _validate(server.url, {}, "--id-token", TOKEN, "--format", "json")
        assert flag.returncode == 0 and TOKEN not in flag.stdout + flag.stderr
    finally:
        server.stop()


def test_without_a_token_the_403_says_how_to_give_one() -> None:
    server = StandIn("ok", token=TOKEN)
    try:
        result = _validate(server.url, {}, "--format", "json")
        assert result.returncode == 1, result.stderr
        findings = json.loads(result.stdout)["findings"]
        assert [(f["outcome"], f["classification"]) for f in findings] == [
            ("fail", "validator-access")
        ]
        assert findings[0]["remediation"] == (
            "The service refused the validator (403): it is private; give an identity token for "
            "the service URL (--id-token or CONDUIT_ID_TOKEN, e.g. from `gcloud auth "
            "print-identity-token --audiences=URL`), or Application Default Credentials of an "
            "account with roles/run.invoker."
        )
        # A plain-http target never sends the metadata server a request: no header at all.
        assert set(server.authorizations) == {None}
    finally:
        server.stop()


def test_application_default_credentials_fetch_a_token_for_the_service_url(tmp_path) -> None:
    endpoint = FakeTokenEndpoint()
    server = StandIn("ok")
    try:
        key = endpoint.key_file(tmp_path)
        # The service demands the very token Google's endpoint issues for its URL.
        server.token = endpoint.issue(server.url)
        endpoint.issued.clear()
        result = _validate(server.url, {"GOOGLE_APPLICATION_CREDENTIALS": str(key)})
        assert result.returncode == 0, result.stdout + result.stderr
        assert endpoint.audiences == [server.url]
        (issued,) = endpoint.issued
        assert set(server.authorizations) == {f"Bearer {issued}"}
        assert issued not in result.stdout + result.stderr
    finally:
        server.stop()
        endpoint.stop()


def test_credentials_that_give_no_token_are_the_validator_s_access(tmp_path) -> None:
    endpoint = FakeTokenEndpoint()
    key = endpoint.key_file(tmp_path)
    endpoint.stop()  # the token endpoint refuses connections
    server = StandIn("ok", token=TOKEN)
    try:
        result = _validate(
            server.url, {"GOOGLE_APPLICATION_CREDENTIALS": str(key)}, "--format", "json"
        )
        assert result.returncode == 1, result.stderr
        (finding,) = json.loads(result.stdout)["findings"]
        assert (finding["outcome"], finding["classification"]) == ("fail", "validator-access")
        assert finding["message"].startswith(f"no identity token for {server.url}: ")
        assert server.requests == 0
    finally:
        server.stop()

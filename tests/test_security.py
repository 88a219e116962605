"""Issue #26: every exposure the pack once missed is caught by a named rule; the committed stacks
keep the security properties the review asked for."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.project import ROOT
from tests.support.tls_pki import two_cas

FIXTURES = ROOT / "tests" / "fixtures"


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "bypasses"
    project.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.staging.yaml"):
        shutil.copy(ROOT / name, project / name)
    shutil.copy(FIXTURES / "exposure_bypasses" / "__main__.py", project / "__main__.py")
    pulumi_yaml = project / "Pulumi.yaml"
    pulumi_yaml.write_text(
        pulumi_yaml.read_text().replace("virtualenv: .venv", f"virtualenv: {ROOT / '.venv'}")
    )
    return project


def test_each_bypass_is_caught_by_its_named_rule(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "conduit.cli",
            "preview",
            "--cwd",
            str(project),
            "--stack",
            "staging",
            "--policy-pack",
            str(ROOT / "policies"),
            "--policy-config",
            str(ROOT / "policies" / "config" / "staging.json"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    failed = {
        (f["rule"], f["subject"].rsplit("::", 1)[-1], f["message"])
        for f in findings
        if f["outcome"] == "fail"
    }
    expected = {
        ("cloudrun-no-public-invoker", "v1-public-invoker", "allUsers may invoke service exposed."),
        (
            "cloudrun-no-public-invoker",
            "v2-public-developer",
            "allUsers holds roles/run.developer on service exposed.",
        ),
        (
            "cloudrun-job-no-public-members",
            "job-public-invoker",
            "allUsers holds roles/run.invoker on job leaky.",
        ),
        (
            "cloudrun-invoker-iam-enabled",
            "exposed-service",
            "service exposed has invokerIamDisabled: anyone on its URL may invoke it.",
        ),
        (
            "cloudrun-ingress-restricted",
            "exposed-service",
            "service exposed takes requests from the internet (ingress INGRESS_TRAFFIC_ALL) and "
            "the policy config gives no reason.",
        ),
        (
            "cloudrun-job-secrets-by-reference",
            "leaky-job",
            "container 0: env DATABASE_PASSWORD looks like a credential but is a literal value.",
        ),
        (
            "cloudrun-job-secrets-by-reference",
            "leaky-job",
            "container 0: argument 2 holds a credential in clear text.",
        ),
        (
            "cloudrun-job-dedicated-service-account",
            "leaky-job",
            "job leaky has no serviceAccount: it runs as the default compute account.",
        ),
        (
            "iam-no-project-privileged-roles",
            "project-owner",
            "serviceAccount:exposed-run@acme-staging.iam.gserviceaccount.com holds roles/owner on "
            "the project (a basic role).",
        ),
        (
            "iam-no-project-privileged-roles",
            "project-editor",
            "serviceAccount:exposed-run@acme-staging.iam.gserviceaccount.com holds roles/editor on "
            "the project (a basic role).",
        ),
        (
            "iam-no-project-privileged-roles",
            "project-iam-serviceaccountuser",
            "serviceAccount:exposed-run@acme-staging.iam.gserviceaccount.com holds "
            "roles/iam.serviceAccountUser on the project: it may act as every service account of "
            "the project.",
        ),
        (
            "compute-firewall-no-public-admin-ports",
            "open-admin",
            "firewall open-admin opens SSH (port 22) to 0.0.0.0/0.",
        ),
        (
            "compute-firewall-no-public-admin-ports",
            "open-admin",
            "firewall open-admin opens PostgreSQL (port 5432) to 0.0.0.0/0.",
        ),
    }
    assert expected <= failed, sorted(expected - failed)
    # The password never reaches a report.
    assert "hunter2" not in result.stdout and "hunter2" not in result.stderr


# Leaks: no error echoes a credential.


def test_url_parse_errors_never_echo_any_part_of_the_url() -> None:
    import pytest

    from conduit.probe.postgres import DsnError, parse_dsn
    from conduit.probe.redis import RedisUrlError, parse_redis_url

    for parse, error, url in (
        (parse_dsn, DsnError, "postgresql://app:hunter2/x@10.60.0.3/app"),
        (parse_dsn, DsnError, "postgresql://app:hunter2@[10.60.0.3/app"),
        (parse_redis_url, RedisUrlError, "rediss://:hunter2/x@10.60.1.4:6378/0"),
    ):
        with pytest.raises(error) as raised:
            parse(url)
        assert "hunter2" not in str(raised.value) and "10.60" not in str(raised.value), url


def test_the_probe_command_does_not_echo_a_bad_dsn() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "probe", "--dsn", "postgresql://app:hunter2/x@h/db"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "not a port number" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr


def test_settings_errors_never_echo_the_value_of_a_credential_key() -> None:
    import pytest
    import yaml

    from conduit.core.loader import SettingsError, parse_settings

    config = yaml.safe_load((ROOT / "Pulumi.staging.yaml").read_text())["config"]
    config["conduit:services"]["backend"]["env"]["API_TOKEN"] = 987654321
    config["conduit:services"]["backend"]["env"]["LOG_LEVEL"] = 12345
    config["conduit:services"]["backend"]["port"] = "eighty"
    with pytest.raises(SettingsError) as raised:
        parse_settings(config, "Pulumi.staging.yaml")
    lines = str(raised.value).splitlines()
    assert "987654321" not in str(raised.value)
    # An env value may be a credential whatever its name: never shown.
    env = "Pulumi.staging.yaml: conduit:services.backend.env"
    assert f"{env}.API_TOKEN: Input should be a valid string" in lines
    assert f"{env}.LOG_LEVEL: Input should be a valid string" in lines
    # Other keys still show what they got.
    assert any(
        line.startswith("Pulumi.staging.yaml: conduit:services.backend.port: ")
        and "(got 'eighty')" in line
        for line in lines
    ), lines


def test_secret_values_in_clear_in_a_stack_file_are_refused(tmp_path: Path) -> None:
    import pytest
    import yaml

    from conduit.core.loader import SettingsError, read_stack_config

    config = yaml.safe_load((ROOT / "Pulumi.staging.yaml").read_text())["config"]
    config["conduit:secretValues"] = {
        "JWT_SECRET_KEY": "hunter2",
        "OTHER": {"secure": "v1:abc:def"},
    }
    path = tmp_path / "Pulumi.staging.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    with pytest.raises(SettingsError) as raised:
        read_stack_config(path)
    assert raised.value.problems == [
        "Pulumi.staging.yaml: conduit:secretValues.JWT_SECRET_KEY: in clear text; set it with "
        "`pulumi config set --secret --path 'conduit:secretValues.JWT_SECRET_KEY'` (value not "
        "shown)"
    ]
    config["conduit:secretValues"] = {"secure": "v1:whole:object"}
    path.write_text(yaml.safe_dump({"config": config}))
    assert read_stack_config(path)["conduit:secretValues"] == {"secure": "v1:whole:object"}


def test_production_redis_persists_rdb_snapshots() -> None:
    from tests.support.program import of_type, plan, props

    for stack in ("staging", "production"):
        (redis,) = of_type(plan(stack), "gcp:redis/instance:Instance")
        persistence = props(redis).get("persistenceConfig")
        if stack == "production":
            assert persistence == {"persistenceMode": "RDB", "rdbSnapshotPeriod": "ONE_HOUR"}
        else:
            assert persistence is None, redis.urn


# Transport: the probe verifies the database server before it sends the password.


def test_the_probe_refuses_a_server_its_ca_does_not_sign_and_sends_no_password() -> None:
    from tests.support.postgres import PASSWORD, remove, start_postgres

    pki = two_cas()
    server = start_postgres(tls=(pki["server_cert"], pki["server_key"]))
    try:
        env = {
            **os.environ,
            "DATABASE_HOST": "127.0.0.1",
            "DATABASE_PORT": str(server.port),
            "DATABASE_USER": "app",
            "DATABASE_NAME": "app",
            "DATABASE_PASSWORD": PASSWORD,
            "DATABASE_CA_CERT": pki["trusted_ca"].decode(),
        }
        env.pop("CONDUIT_DSN", None)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "conduit.cli",
                "probe",
                "--connections",
                "1",
                "--deadline",
                "20",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env=env,
        )
        assert result.returncode == 1, result.stdout + result.stderr
        outcome = json.loads(result.stdout)
        failures = json.dumps(outcome)
        assert "tls-untrusted" in failures and "configuration" in failures, failures
        assert PASSWORD not in result.stdout + result.stderr
        # The server's side: a TCP connection came, TLS failed, no startup packet, so no
        # authentication of `app` was ever attempted and no password reached it.
        log = (server.directory / "log").read_text()
        assert "connection received" in log, log
        assert "user=app" not in log and "authentication" not in log.lower(), log
        # Without the CA (sslmode=require, no verification) the same server takes the same
        # password: the refusal above is the certificate's.
        env["DATABASE_CA_CERT"] = ""
        env["CONDUIT_DSN"] = (
            f"postgresql://app:{PASSWORD}@127.0.0.1:{server.port}/app?sslmode=require"
        )
        ok = subprocess.run(
            [
                sys.executable,
                "-m",
                "conduit.cli",
                "probe",
                "--connections",
                "1",
                "--deadline",
                "20",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env=env,
        )
        assert ok.returncode == 0, ok.stdout + ok.stderr
    finally:
        remove(server)


def test_identity_tokens_go_only_to_https_or_loopback_urls() -> None:
    from conduit.validate.identity import may_carry_token

    assert may_carry_token("https://backend-abc-uc.a.run.app")
    assert may_carry_token("http://127.0.0.1:8080")
    assert may_carry_token("http://localhost:8080")
    assert not may_carry_token("http://backend-abc-uc.a.run.app")
    assert not may_carry_token("http://10.0.0.5")
    assert not may_carry_token("ftp://127.0.0.1")


def test_validate_dsn_refuses_a_server_its_ca_does_not_sign_and_sends_no_password(
    tmp_path: Path,
) -> None:
    from conduit.core.failures import FailureClass
    from conduit.validate.storm import LocalStorm
    from tests.support.cli import conduit
    from tests.support.postgres import PASSWORD, remove, start_postgres

    pki = two_cas()
    (tmp_path / "trusted-ca.pem").write_bytes(pki["trusted_ca"])
    (tmp_path / "server-ca.pem").write_bytes(pki["other_ca"])
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"successCriteria": {"concurrentConnections": 2}}))
    server = start_postgres(tls=(pki["server_cert"], pki["server_key"]))
    try:
        dsn = f"postgresql://app:{PASSWORD}@127.0.0.1:{server.port}/app"

        def validate(ca: str) -> tuple[int, dict]:
            result = conduit(
                "validate", "--outputs", str(outputs), "--dsn", dsn, "--dsn-ca", str(ca),
                "--only", "database-connect", "--format", "json", "--deadline", "60",
            )  # fmt: skip
            assert PASSWORD not in result.stdout + result.stderr
            assert result.returncode in (0, 1), result.stderr
            (finding,) = json.loads(result.stdout)["findings"]
            return result.returncode, finding

        code, finding = validate(str(tmp_path / "trusted-ca.pem"))
        assert (code, finding["outcome"], finding["classification"]) == (
            1,
            "fail",
            "configuration",
        )
        assert finding["figures"]["outcomes"] == {"connected": 0, "tls-untrusted": 2}
        # The local storm's probe processes get the same CA, and no other (not this
        # machine's DATABASE_CA_CERT).
        storm = LocalStorm(dsn, pki["trusted_ca"].decode()).run(2, 20)
        assert [(t.ok, t.failure, t.classification) for t in storm.tasks] == [
            (False, "tls-untrusted", FailureClass.CONFIGURATION)
        ] * 2, storm.tasks
        # The server's side: connections came, TLS failed before any startup packet, so no
        # authentication of `app` was attempted and no password reached it.
        log = (server.directory / "log").read_text()
        assert "connection received" in log, log
        assert "user=app" not in log and "authentication" not in log.lower(), log
        # The CA that signs the server: verified, and the same connections go through.
        code, finding = validate(str(tmp_path / "server-ca.pem"))
        assert (code, finding["outcome"]) == (0, "pass"), finding
        assert finding["figures"]["outcomes"] == {"connected": 2}
        assert "connection authorized: user=app" in (server.directory / "log").read_text()
        storm = LocalStorm(dsn, pki["other_ca"].decode()).run(2, 20)
        assert [t.ok for t in storm.tasks] == [True, True], storm.tasks
    finally:
        remove(server)


def test_validate_dsn_ca_must_be_a_certificate_and_goes_with_dsn(tmp_path: Path) -> None:
    from tests.support.cli import conduit

    dsn = "postgresql://app:hunter2@127.0.0.1:5432/app"
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("hunter2\n")
    for args, message in (
        (("--dsn", dsn, "--dsn-ca", str(not_pem)),
         f"--dsn-ca: {not_pem}: not a PEM certificate (-----BEGIN CERTIFICATE-----)"),
        (("--dsn", dsn, "--dsn-ca", str(tmp_path / "none.pem")),
         f"--dsn-ca: {tmp_path / 'none.pem'}: no such file"),
        (("--dsn-ca", str(not_pem), "--service-url", "https://backend.example"),
         "--dsn-ca: the CA of the server --dsn names; give --dsn too"),
    ):  # fmt: skip
        result = conduit("validate", *args, "--only", "database-connect")
        assert (result.returncode, result.stdout) == (2, ""), result.stderr
        assert message in result.stderr, result.stderr
        assert "hunter2" not in result.stderr and "Traceback" not in result.stderr


def test_a_given_identity_token_goes_to_one_service_url_only(tmp_path: Path) -> None:
    from tests.support.cli import conduit

    outputs = tmp_path / "outputs.json"
    services = {
        "backend": {"url": "https://backend-abc-uc.a.run.app"},
        "auth": {"url": "https://auth-abc-uc.a.run.app"},
    }
    outputs.write_text(json.dumps({"services": services}))
    token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWNsYWltcw.c2lnbmF0dXJl"
    result = conduit("validate", "--outputs", str(outputs), "--id-token", token)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "--id-token (or CONDUIT_ID_TOKEN): a token is for one service URL, and 2 were given; "
        "give none, and Application Default Credentials mint one for each URL\n"
    )
    assert token not in result.stderr


def test_no_command_echoes_a_dsn_or_redis_url_it_cannot_parse() -> None:
    port = "the text after the host's ':' is not a port number"
    dsn = "postgresql://app:hunter2/x@10.60.0.3/app"
    redis = "rediss://:hunter2/x@10.60.1.4:6378/0"
    database = {"DATABASE_HOST": "10.60.0.3", "DATABASE_USER": "app", "DATABASE_PASSWORD": "pw"}
    bad_dsn, bad_url = f"not a valid DSN ({port}", f"not a valid URL ({port}"
    cases = (
        (["probe", "--dsn", dsn], {}, f"--dsn: {bad_dsn}"),
        (["probe"], {"CONDUIT_DSN": dsn}, f"CONDUIT_DSN: {bad_dsn}"),
        (
            ["probe"],
            {**database, "DATABASE_PORT": "hunter2"},
            f"DATABASE_HOST/PORT/USER/PASSWORD/NAME: {bad_dsn}",
        ),
        (["probe", "--redis-url", redis], {}, f"--redis-url: {bad_url}"),
        (["probe", "--redis"], {"CONDUIT_REDIS_URL": redis}, f"CONDUIT_REDIS_URL: {bad_url}"),
        (
            ["probe", "--redis"],
            {"REDIS_HOST": "10.60.1.4", "REDIS_PORT": "hunter2", "REDIS_AUTH": "pw"},
            f"REDIS_HOST/PORT/TLS/AUTH: {bad_url}",
        ),
        (["validate", "--dsn", dsn], {}, f"--dsn: {bad_dsn}"),
        (
            ["validate", "--dsn", "postgresql://app:hunter2@[10.60.0.3/app"],
            {},
            "--dsn: not a valid DSN (it is not a well-formed URL",
        ),
        (["validate", "--redis-url", redis], {}, f"--redis-url: {bad_url}"),
    )
    variables = ("CONDUIT_DSN", "CONDUIT_REDIS_URL", "DATABASE_HOST", "REDIS_HOST")
    clean = {k: v for k, v in os.environ.items() if k not in variables}
    for args, env, message in cases:
        result = subprocess.run(
            [sys.executable, "-m", "conduit.cli", *args],
            capture_output=True, text=True, timeout=60, cwd=ROOT, env={**clean, **env},
        )  # fmt: skip
        assert (result.returncode, result.stdout) == (2, ""), (args, result.stderr)
        assert result.stderr.startswith(message), (args, result.stderr)
        for part in ("hunter2", "10.60", "app:"):
            assert part not in result.stderr, (args, part, result.stderr)


def test_a_stack_file_that_is_not_yaml_is_refused_without_quoting_its_lines(
    tmp_path: Path,
) -> None:
    import pytest

    from conduit.core.loader import SettingsError, read_stack_config

    path = tmp_path / "Pulumi.staging.yaml"
    # PyYAML's own message quotes the offending line: here, a password in clear.
    path.write_text("config:\n  conduit:secretValues: {JWT_SECRET_KEY: hunter2, : x}\n")
    with pytest.raises(SettingsError) as raised:
        read_stack_config(path)
    assert raised.value.problems == [
        "Pulumi.staging.yaml: not valid YAML: line 2, column 51: while parsing a flow node; "
        "expected the node content, but found ':' (the line is not shown)"
    ]
    script = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "stack-value.py"), "staging", "gcp:project"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (script.returncode, script.stderr) == (
        2,
        "Pulumi.staging.yaml: not valid YAML: line 2, column 51: while parsing a flow node; "
        "expected the node content, but found ':' (the line is not shown)\n",
    )

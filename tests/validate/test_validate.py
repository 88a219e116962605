"""`conduit validate` against local stand-ins: real PostgreSQL, real HTTP servers, Google's own
client libraries on a local fake of their REST API. The fault matrix of the validator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from google.cloud import run_v2

from tests.support.google_stack import (
    CONNECTOR,
    INSTANCE,
    PROBE_FAILED,
    PROJECT,
    REGION,
    SERVICE,
    STARTED,
    log_entry,
)
from tests.support.http_servers import StandIn
from tests.support.postgres import PASSWORD, free_port, remove, settle, start_postgres
from tests.support.project import ROOT
from tests.support.redis_server import REDIS_PASSWORD, start_redis
from tests.support.stack_outputs import outputs


@pytest.fixture
def web():
    server = StandIn("ok")
    yield server
    server.stop()


def validate(*args: str, timeout: float = 120) -> tuple[int, dict, str]:
    """The exit code, JSON report and stderr. Times are the report's own (`durationSeconds`,
    measured inside the process): nothing here times interpreter start-up."""
    result = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "validate", "--format", "json", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    text = result.stdout + result.stderr
    assert PASSWORD not in text and REDIS_PASSWORD not in text, "a password was printed"
    report = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.returncode, report, result.stderr


def against_fake(tmp_path: Path, endpoint: str, check: str) -> tuple[int, dict]:
    """One check, with the outputs file and every Google call sent to the fake."""
    code, report, _ = validate(
        "--outputs", str(outputs(tmp_path)), "--api-endpoint", endpoint, "--only", check
    )
    return code, report


def by_check(report: dict, check: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == check]


def test_a_healthy_setup_passes_every_check(tmp_path, postgres, web, google) -> None:
    fake, endpoint = google
    redis = start_redis()
    try:
        code, report, stderr = _healthy(tmp_path, postgres, web, endpoint, redis)
    finally:
        redis.stop()
    _assert_healthy(code, report, stderr, fake, postgres)


def _healthy(tmp_path, postgres, web, endpoint, redis):
    return validate(
        "--stack",
        "staging",
        "--outputs",
        str(outputs(tmp_path)),
        "--service-url",
        web.url,
        "--dsn",
        postgres.dsn(),
        "--api-endpoint",
        endpoint,
        "--redis-url",
        redis.url(),
        "--storm-tasks",
        "6",
    )


def _assert_healthy(code, report, stderr, fake, postgres) -> None:
    assert code == 0, json.dumps(report, indent=1)[:3000] + stderr[-2000:]
    outcomes = {(f["rule"], f["outcome"]) for f in report["findings"]}
    assert outcomes == {
        (check, "pass")
        for check in (
            "service-ready",
            "secrets-resolvable",
            "config-drift",
            "health-endpoints",
            "database-connect",
            "redis-connect",
            "startup-storm",
            "service-startup-rate",
        )
    } | {("connector-scaling", "skipped")}
    # The storm ran here against --dsn: the connector is READY as declared, its scaling was
    # not measured, and the check says so instead of passing.
    (scaling,) = by_check(report, "connector-scaling")
    assert scaling["message"] == (
        "connector READY, e2-standard-4 x 3-10; scaling not measured: the storm ran from this "
        "machine (--dsn), not through the connector"
    )
    connect = by_check(report, "database-connect")[0]["figures"]
    assert connect["succeeded"] == 50 and set(connect["connectSeconds"]) >= {
        "p50",
        "p95",
        "p99",
        "max",
    }
    storm = by_check(report, "startup-storm")[0]["figures"]
    assert storm["tasks"] == 6 and storm["successRate"] == 1.0
    # service-ready and config-drift share one read of the service, as do the connector checks.
    assert fake.requests.count(("GET", f"/v2/{SERVICE}")) == 1
    assert fake.requests.count(("GET", f"/v1/{CONNECTOR}")) == 1
    assert (
        "GET",
        f"/v1/projects/{PROJECT}/secrets/jwt-secret-key/versions/latest",
    ) in fake.requests
    assert all(path.startswith(("/v1/", "/v2/")) for _, path in fake.requests)
    assert settle(postgres) == 0
    jsonschema_validate(report)


def jsonschema_validate(report: dict) -> None:
    import jsonschema

    schema = json.loads((ROOT / "conduit/report/report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)


def _db_case(tmp_path, dsn: str, *extra: str, **criteria) -> tuple[int, dict, float]:
    code, report, _ = validate(
        "--outputs",
        str(outputs(tmp_path, **criteria)),
        "--dsn",
        dsn,
        "--only",
        "database-connect",
        *extra,
    )
    return code, report, report["durationSeconds"]


def test_database_down(tmp_path) -> None:
    code, report, elapsed = _db_case(
        tmp_path, f"postgresql://app:{PASSWORD}@127.0.0.1:{free_port()}/app"
    )
    (finding,) = by_check(report, "database-connect")
    assert (code, finding["outcome"], finding["classification"]) == (1, "fail", "infrastructure")
    assert finding["figures"]["outcomes"] == {"connected": 0, "refused": 20}
    assert elapsed < 15


def test_two_seconds_of_latency_against_a_one_second_threshold(tmp_path, postgres, proxy) -> None:
    proxy.faults.latency = 2.0
    code, report, elapsed = _db_case(
        tmp_path, postgres.dsn(port=proxy.port), databaseConnectSeconds=1
    )
    (finding,) = by_check(report, "database-connect")
    assert (code, finding["outcome"], finding["classification"]) == (1, "fail", "infrastructure")
    # 1.5 x the threshold cuts them off: a measured timeout, not the run's deadline.
    assert finding["figures"]["outcomes"] == {"connected": 0, "timeout": 20}
    assert elapsed < 10
    assert settle(postgres) == 0


def test_two_seconds_of_latency_within_the_threshold_passes_and_is_measured(
    tmp_path, postgres, proxy
) -> None:
    proxy.faults.latency = 2.0
    code, report, _ = _db_case(tmp_path, postgres.dsn(port=proxy.port), databaseConnectSeconds=5)
    (finding,) = by_check(report, "database-connect")
    assert (code, finding["outcome"]) == (0, "pass")
    assert finding["figures"]["connectSeconds"]["p50"] >= 2.0
    assert settle(postgres) == 0


def test_max_connections_reached(tmp_path) -> None:
    small = start_postgres(max_connections=8)
    try:
        code, report, _ = _db_case(tmp_path, small.dsn())
        (finding,) = by_check(report, "database-connect")
        assert (code, finding["outcome"], finding["classification"]) == (
            1,
            "fail",
            "infrastructure",
        )
        outcomes = finding["figures"]["outcomes"]
        assert outcomes == {
            "connected": outcomes["connected"],
            "too-many-clients": 20 - outcomes["connected"],
        }
        assert settle(small) == 0
    finally:
        remove(small)


def test_wrong_password(tmp_path, postgres) -> None:
    code, report, _ = _db_case(tmp_path, postgres.dsn(password="wrong-one"))
    (finding,) = by_check(report, "database-connect")
    assert (code, finding["outcome"], finding["classification"]) == (1, "fail", "configuration")
    assert "wrong-one" not in json.dumps(report)
    assert settle(postgres) == 0


def test_unknown_host(tmp_path) -> None:
    code, report, _ = _db_case(tmp_path, f"postgresql://app:{PASSWORD}@db.invalid:5432/app")
    (finding,) = by_check(report, "database-connect")
    assert (code, finding["outcome"], finding["classification"]) == (1, "fail", "configuration")


def _health(tmp_path, server: StandIn, wait: float, *extra: str) -> tuple[int, list[dict], float]:
    code, report, _ = validate(
        "--outputs",
        str(outputs(tmp_path)),
        "--service-url",
        server.url,
        "--only",
        "health-endpoints",
        "--health-wait",
        str(wait),
        *extra,
    )
    return code, by_check(report, "health-endpoints"), report["durationSeconds"]


def test_503_forever_is_the_application(tmp_path) -> None:
    server = StandIn("down")
    try:
        code, findings, elapsed = _health(tmp_path, server, 3)
        assert code == 1 and len(findings) == 2
        for finding in findings:
            assert (finding["outcome"], finding["classification"]) == ("fail", "application")
            assert finding["figures"]["lastStatus"] == 503 and finding["figures"]["attempts"] >= 2
        # Inside the process: the wait plus slack for a loaded machine; a run that kept retrying
        # past its wait would not stop at all.
        assert elapsed < 3 + 3
    finally:
        server.stop()


def test_503_from_the_platform_is_infrastructure(tmp_path) -> None:
    server = StandIn("platform-down")
    try:
        code, findings, _ = _health(tmp_path, server, 2)
        assert code == 1 and {f["classification"] for f in findings} == {"infrastructure"}
    finally:
        server.stop()


def test_503_then_200_passes_with_retries(tmp_path) -> None:
    server = StandIn("flaky", failures_first=2)
    try:
        code, findings, _ = _health(tmp_path, server, 20)
        assert code == 0
        first = findings[0]["figures"]
        assert findings[0]["outcome"] == "pass" and first["attempts"] == 3
        # Two backoff pauses (0.25 s, 0.5 s) before the third attempt, timed inside the process.
        assert first["firstSuccessSeconds"] >= 0.75
        assert first["successRate"] == 0.333
        assert findings[1]["figures"]["attempts"] == 1
    finally:
        server.stop()


def test_a_hanging_endpoint_is_infrastructure_and_bounded(tmp_path) -> None:
    server = StandIn("hang")
    try:
        code, findings, elapsed = _health(tmp_path, server, 4)
        assert code == 1
        assert {(f["outcome"], f["classification"]) for f in findings} == {
            ("fail", "infrastructure")
        }
        for finding in findings:
            assert set(finding["figures"]["outcomes"]) <= {"timedOut", "cutByDeadline"}
        # Inside the process: the wait plus slack for a loaded machine. An attempt not cut to
        # its share of the wait would take REQUEST_TIMEOUT (5 s) each: 10 s or more for two.
        assert elapsed < 4 + 3
    finally:
        server.stop()


def test_the_global_deadline_holds_within_a_second(tmp_path) -> None:
    server = StandIn("hang")
    try:
        code, report, _ = validate(
            "--outputs",
            str(outputs(tmp_path)),
            "--service-url",
            server.url,
            "--only",
            "health-endpoints,database-connect",
            "--deadline",
            "3",
            "--dsn",
            f"postgresql://app:{PASSWORD}@127.0.0.1:{free_port()}/app",
        )
        assert code == 1
        assert report["durationSeconds"] <= 3 + 1
        (cut,) = by_check(report, "database-connect")
        # Selected with --only, so not running it is a failure, not a quiet skip.
        assert (cut["outcome"], cut["message"]) == (
            "fail",
            "selected with --only but not run: not run: the global deadline ran out",
        )
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("status", "classification"),
    [(403, "validator-access"), (404, "configuration"), (500, "infrastructure")],
)
def test_google_api_errors_are_classified(
    tmp_path, google, status: int, classification: str
) -> None:
    fake, endpoint = google
    fake.errors[SERVICE] = status
    code, report = against_fake(tmp_path, endpoint, "service-ready")
    (finding,) = by_check(report, "service-ready")
    assert (code, finding["outcome"], finding["classification"]) == (1, "fail", classification)
    assert fake.requests.count(("GET", f"/v2/{SERVICE}")) >= 1


def test_a_revision_that_never_became_ready(tmp_path, google) -> None:
    fake, endpoint = google
    service = fake.objects[SERVICE]
    service.latest_created_revision = f"{SERVICE}/revisions/backend-00003"
    service.terminal_condition.state = run_v2.Condition.State.CONDITION_FAILED
    service.terminal_condition.message = "Revision 'backend-00003' is not ready"
    code, report = against_fake(tmp_path, endpoint, "service-ready")
    (finding,) = by_check(report, "service-ready")
    assert code == 1 and finding["outcome"] == "fail"
    assert "backend-00003 is not ready" in finding["message"]


def test_a_missing_secret_is_configuration(tmp_path, google) -> None:
    fake, endpoint = google
    del fake.objects[f"projects/{PROJECT}/secrets/jwt-secret-key/versions/latest"]
    code, report = against_fake(tmp_path, endpoint, "secrets-resolvable")
    outcomes = sorted(
        (f["outcome"], f["classification"]) for f in by_check(report, "secrets-resolvable")
    )
    assert code == 1 and outcomes == [("fail", "configuration"), ("pass", None)]


def test_drift_is_configuration(tmp_path, google) -> None:
    fake, endpoint = google
    fake.objects[CONNECTOR].machine_type = "e2-micro"
    fake.objects[SERVICE].template.scaling.max_instance_count = 40
    fake.objects[f"projects/{PROJECT}/instances/{INSTANCE}"]["settings"]["tier"] = "db-g1-small"
    code, report, _ = validate(
        "--stack",
        "staging",
        "--outputs",
        str(outputs(tmp_path)),
        "--api-endpoint",
        endpoint,
        "--only",
        "config-drift",
    )
    (finding,) = by_check(report, "config-drift")
    assert (code, finding["outcome"], finding["classification"]) == (1, "fail", "configuration")
    assert "service backend maxInstances: deployed 40, declared 10" in finding["message"]
    assert (
        "connector machineType: deployed 'e2-micro', declared 'e2-standard-4'" in finding["message"]
    )
    assert (
        "database tier: deployed 'db-g1-small', declared 'db-custom-2-7680'" in finding["message"]
    )
    assert ("GET", f"/v1/projects/{PROJECT}/instances/{INSTANCE}") in fake.requests


def test_a_direct_vpc_stack_is_compared_on_its_network_interface(tmp_path, google) -> None:
    """`--stack staging-direct`: no connector is read; the deployed revision's subnet is."""
    fake, endpoint = google
    fake.objects[SERVICE].template.vpc_access = run_v2.VpcAccess(
        network_interfaces=[
            run_v2.VpcAccess.NetworkInterface(network="staging-vpc", subnetwork="elsewhere")
        ],
        egress=run_v2.VpcAccess.VpcEgress.PRIVATE_RANGES_ONLY,
    )
    direct = json.loads(outputs(tmp_path).read_text())
    del direct["connectorId"]
    direct |= {"egressPath": "direct", "subnetId": f"projects/{PROJECT}/regions/{REGION}/x"}
    (tmp_path / "outputs.json").write_text(json.dumps(direct))
    code, report, _ = validate(
        "--stack",
        "staging-direct",
        "--outputs",
        str(tmp_path / "outputs.json"),
        "--api-endpoint",
        endpoint,
        "--only",
        "config-drift",
    )
    (finding,) = by_check(report, "config-drift")
    assert (code, finding["outcome"], finding["classification"]) == (1, "fail", "configuration")
    assert (
        "service backend subnet: deployed 'elsewhere', declared 'staging-run-egress'"
        in (finding["message"])
    )
    assert not [path for _, path in fake.requests if "/connectors/" in path]


def test_the_storm_fails_when_the_database_is_too_small(tmp_path) -> None:
    small = start_postgres(max_connections=8)  # 5 app sessions: 12 tasks cannot all connect at once
    try:
        code, report, _ = validate(
            "--outputs",
            str(outputs(tmp_path)),
            "--dsn",
            small.dsn(),
            "--only",
            "startup-storm,connector-scaling",
            "--storm-tasks",
            "12",
        )
        (storm,) = by_check(report, "startup-storm")
        assert code == 1 and storm["outcome"] == "fail"
        assert storm["classification"] == "infrastructure"
        assert storm["figures"]["successRate"] < 0.9
        assert settle(small) == 0
    finally:
        remove(small)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "no-such-check"], "--only: unknown check no-such-check; checks: service-ready"),
        (["--deadline", "0"], "--deadline: must be above 0"),
        (
            ["--service-url", "ftp://x"],
            "--service-url: 'ftp://x' must start with http:// or https://",
        ),
        (["--outputs", "/nonexistent.json"], "--outputs: /nonexistent.json: no such file"),
        (["--dsn", "mysql://u:p@h/d"], "--dsn: must start with postgresql://"),
    ],
)
def test_bad_input_exits_2(args: list[str], message: str) -> None:
    code, _, stderr = validate(*args)
    assert code == 2 and message in stderr and "Traceback" not in stderr


def _tasklog_entry(ok: bool, start: float, connect: float):
    """A probe task's result as Cloud Run logs it: the stdout JSON line as jsonPayload."""
    from google.cloud.logging_v2.types import LogEntry
    from google.protobuf import struct_pb2

    attempt = {"started": 0.0, "resolve": 0.001, "tcp": 0.002, "connect": connect}
    if not ok:
        attempt["failure"] = "too-many-clients"
    payload = struct_pb2.Struct()
    payload.update(
        {
            "ok": ok,
            "startedAt": 1_700_000_000 + start,
            "attempts": [attempt],
            "classification": "" if ok else "infrastructure",
        }
    )
    return LogEntry(
        log_name=f"projects/{PROJECT}/logs/run.googleapis.com%2Fstdout", json_payload=payload
    )


def test_the_storm_through_the_probe_job(tmp_path, google) -> None:
    """The Cloud Run runner: the jobs API runs N tasks; their timings come back from the logs."""
    fake, endpoint = google
    job = f"projects/{PROJECT}/locations/{REGION}/jobs/backend-probe"
    fake.executions[job] = run_v2.Execution(
        name=f"{job}/executions/backend-probe-x1", task_count=8, succeeded_count=7, failed_count=1
    )
    # Seven tasks connect; the connector is slow for the first 4 s, then back to 20 ms.
    fake.job_log_entries = [
        _tasklog_entry(True, start=0.1 * n, connect=3.0 if n < 3 else 0.02) for n in range(7)
    ] + [_tasklog_entry(False, start=0.2, connect=0.0)]
    path = outputs(tmp_path)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "probeJob": job}))
    code, report, _ = validate(
        "--outputs",
        str(path),
        "--api-endpoint",
        endpoint,
        "--only",
        "startup-storm,connector-scaling",
        "--storm-tasks",
        "8",
    )
    (storm,) = by_check(report, "startup-storm")
    assert (code, storm["outcome"]) == (1, "fail")
    figures = storm["figures"]
    assert figures["runner"] == "cloudrun" and figures["successRate"] == 0.875
    assert figures["connectSeconds"]["max"] == round(3.0 + 0.003, 4)
    assert ("POST", f"/v2/{job}:run") in fake.requests
    assert fake.bodies[0]["overrides"]["taskCount"] == 8
    assert (
        'labels."run.googleapis.com/execution_name"="backend-probe-x1"' in fake.bodies[-1]["filter"]
    )
    scaling = [f for f in by_check(report, "connector-scaling") if "latencySeconds" in f["figures"]]
    (latency,) = scaling
    # Slow: tasks 0-2 (3 s against a 23 ms baseline) and the failed one; the last slow one ends
    # 0.2 + 3.003 s after the first attempt.
    assert latency["figures"]["slowTasks"] == 4
    assert latency["figures"]["latencySeconds"] == 3.203
    assert latency["outcome"] == "pass"


def _startup_rate(tmp_path, fake, endpoint) -> tuple[int, dict]:
    code, report = against_fake(tmp_path, endpoint, "service-startup-rate")
    (finding,) = by_check(report, "service-startup-rate")
    assert ("POST", "/v2/entries:list") in fake.requests
    assert 'resource.labels.service_name="backend"' in fake.bodies[-1]["filter"]
    return code, finding


def test_startup_rate_passes_when_instances_start(tmp_path, google) -> None:
    fake, endpoint = google
    fake.log_entries = [log_entry(f"i{n}", STARTED) for n in range(19)] + [
        log_entry("i19", PROBE_FAILED)
    ]
    code, finding = _startup_rate(tmp_path, fake, endpoint)
    assert (code, finding["outcome"]) == (0, "pass")
    assert finding["figures"]["starts"] == 20 and finding["figures"]["successRate"] == 0.95


def test_startup_rate_exit_3_is_the_application(tmp_path, google) -> None:
    """The incident: the app gave up on its database after its init timeout and exited 3."""
    fake, endpoint = google
    fake.log_entries = [log_entry("i0", STARTED)] + [
        log_entry(f"x{n}", "Container called exit(3).") for n in range(9)
    ]
    code, finding = _startup_rate(tmp_path, fake, endpoint)
    assert (code, finding["outcome"], finding["classification"]) == (1, "fail", "application")
    assert finding["figures"]["exitCodes"] == {"3": 9}


def test_startup_rate_probe_window_exhausted_is_infrastructure(tmp_path, google) -> None:
    fake, endpoint = google
    fake.log_entries = [log_entry(f"p{n}", PROBE_FAILED) for n in range(5)]
    code, finding = _startup_rate(tmp_path, fake, endpoint)
    assert (code, finding["outcome"], finding["classification"]) == (1, "fail", "infrastructure")


def test_startup_rate_logging_403_is_the_validator_s_access(tmp_path, google) -> None:
    fake, endpoint = google
    fake.errors["entries"] = 403
    code, finding = _startup_rate(tmp_path, fake, endpoint)
    assert (code, finding["outcome"], finding["classification"]) == (1, "fail", "validator-access")


def test_stack_outputs_without_the_pulumi_cli_is_a_clear_input_error() -> None:
    import os

    result = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "validate", "--stack", "staging"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": os.path.dirname(sys.executable)},
    )
    assert result.returncode == 2
    assert "--stack: the Pulumi CLI is not on PATH; give --outputs FILE" in result.stderr


def test_database_connect_through_the_probe_job_when_no_dsn(tmp_path, google) -> None:
    """One task opening K connections inside the VPC; its result read back from the logs."""
    from google.cloud.logging_v2.types import LogEntry
    from google.protobuf import struct_pb2

    fake, endpoint = google
    job = f"projects/{PROJECT}/locations/{REGION}/jobs/backend-probe"
    fake.executions[job] = run_v2.Execution(
        name=f"{job}/executions/backend-probe-db1", task_count=1, succeeded_count=1
    )
    attempts = [{"started": 0.0, "connect": 0.04 + n / 1000} for n in range(20)]
    payload = struct_pb2.Struct()
    payload.update(
        {
            "ok": True,
            "startedAt": 1_700_000_000,
            "succeeded": 20,
            "attempts": attempts,
            "connectSeconds": {"p50": 0.05, "p95": 0.058, "p99": 0.059, "max": 0.059, "mean": 0.05},
            "failures": {},
            "classification": "",
            "errors": [],
        }
    )
    fake.job_log_entries = [LogEntry(json_payload=payload)]
    path = outputs(tmp_path)
    path.write_text(json.dumps({**json.loads(path.read_text()), "probeJob": job}))
    code, report, _ = validate(
        "--outputs",
        str(path),
        "--api-endpoint",
        endpoint,
        "--only",
        "database-connect",
    )
    (finding,) = by_check(report, "database-connect")
    assert (code, finding["outcome"], finding["subject"]) == (0, "pass", "probe job")
    assert finding["figures"]["succeeded"] == 20
    overrides = fake.bodies[0]["overrides"]
    assert overrides["taskCount"] == 1
    assert overrides["containerOverrides"][0]["args"][:3] == ["probe", "--connections", "20"]


def test_slow_503s_in_the_window_route_to_the_application_team(tmp_path) -> None:
    server = StandIn("down", delay=2.6)
    try:
        code, findings, _ = _health(tmp_path, server, 14)  # two endpoints: 7 s each, 3.5 s tries
        assert code == 1
        first = findings[0]
        assert (first["outcome"], first["classification"]) == ("fail", "application")
        assert first["figures"]["outcomes"] == {"503": 2, "cutByDeadline": 1}
    finally:
        server.stop()


def test_a_silent_server_gets_retries_within_the_wait_each_with_its_own_timeout(tmp_path):
    server = StandIn("hang")
    try:
        code, findings, _ = _health(tmp_path, server, 8)  # 4 s per endpoint, 2 s per attempt
        assert code == 1
        figures = findings[0]["figures"]
        # The first endpoint's share of the wait, each attempt half of it.
        assert 3.5 < figures["windowSeconds"] <= 4.0
        assert abs(figures["attemptTimeoutSeconds"] - figures["windowSeconds"] / 2) <= 0.001
        # A retry inside the window: one attempt timed out, the next was cut by the deadline.
        assert figures["outcomes"] == {"timedOut": 1, "cutByDeadline": 1}
        assert findings[0]["classification"] == "infrastructure"
    finally:
        server.stop()


def test_every_check_id_is_defined_once_and_every_defined_id_is_a_check() -> None:
    """The alerts and the validator's routing name checks by CheckId: none names a check that
    does not run, and each check's ID is its member."""
    from conduit.core.check_ids import CheckId
    from conduit.validate.checks import CHECKS

    assert [check.ID for check in CHECKS] == list(CheckId)
    assert all(isinstance(check.ID, CheckId) for check in CHECKS)

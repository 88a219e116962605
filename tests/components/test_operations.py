"""Operations as code: the alerting and continuous-validation settings, cron arithmetic, the
program's channels, alerts, metrics, schedules, uptime checks and dashboard under the mock
runtime, the dashboard against the Monitoring API's discovery schema, the log-based metrics
against what the real probe prints, and the preview's verdict without alerting."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import googleapiclient
import jsonschema
import pytest
import yaml
from google.protobuf import json_format

from conduit.components.operations.schedules import RUNNER_ROLE
from conduit.core import cron, startup_log
from conduit.core.loader import SettingsError, parse_settings
from tests.support.program import of_type, plan, props
from tests.support.project import POLICIES_DIR, ROOT, stack_config
from tests.support.redis_server import start_redis

ALERT = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
METRIC = "gcp:logging/metric:Metric"
SCHEDULE = "gcp:cloudscheduler/job:Job"
DISCOVERY = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


def _error(config: dict) -> str:
    with pytest.raises(SettingsError) as caught:
        parse_settings(config, "Pulumi.staging.yaml")
    return str(caught.value)


# Settings


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"channels": {"infrastructure": [{"type": "email", "address": "a@b.co"}]}},
            "conduit:alerting.channels: needs channels for every team (infrastructure, "
            "application); missing: application",
        ),
        (
            {"channels": {"infrastructure": [], "application": [{"type": "pubsub"}]}},
            "conduit:alerting.channels.infrastructure: Tuple should have at least 1 item",
        ),
        (
            {"channels": {"infrastructure": [{"type": "pubsub"}], "application": []}},
            "conduit:alerting.channels.infrastructure.0.topic: a pubsub channel needs topic",
        ),
        (
            {"channels": {"infrastructure": [{"type": "sms", "address": "x"}]}},
            "conduit:alerting.channels.infrastructure.0.type: Input should be 'email' or 'pubsub'",
        ),
        (
            {"thresholds": {"connectionsPercent": 101}},
            "conduit:alerting.thresholds.connectionsPercent: Input should be less than or equal "
            "to 100",
        ),
    ],
)
def test_bad_alerting_is_a_settings_error(change: dict, problem: str) -> None:
    config = stack_config()
    config["conduit:alerting"] = {**config["conduit:alerting"], **change}
    assert f"Pulumi.staging.yaml: {problem}" in _error(config)


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("*/5 * * *", "needs 5 fields (minute hour day-of-month month day-of-week), got 4"),
        ("*/0 * * * *", "minute: step '0' must be a whole number above 0"),
        ("60 * * * *", "minute: '60' is not in 0-59"),
        ("0 24 * * *", "hour: '24' is not in 0-23"),
        ("0 0 1 * *", "day-of-month and month must be * (continuous validation runs every day)"),
        ("0 0 * * FUN", "day-of-week: 'FUN' is not in 0-7 or SUN, MON, TUE, WED, THU, FRI, SAT"),
        ("30-10 * * * *", "minute: range '30-10' runs backwards"),
    ],
)
def test_a_schedule_cloud_scheduler_would_refuse_or_conduit_cannot_judge(
    schedule: str, problem: str
) -> None:
    config = stack_config()
    config["conduit:continuousValidation"]["connectivity"] = schedule
    assert problem in _error(config)


def test_continuous_validation_needs_the_probe_job() -> None:
    config = stack_config()
    del config["conduit:probeJob"]
    assert (
        "Pulumi.staging.yaml: conduit:continuousValidation: continuous validation runs the probe "
        "job: it needs conduit:probeJob"
    ) in _error(config)


@pytest.mark.parametrize(
    ("expression", "per_day", "gap"),
    [
        ("*/5 * * * *", 288, 5),
        ("*/15 * * * *", 96, 15),
        # One step past: minutes 0, 16, 32 and 48, then 12 minutes to the next hour.
        ("*/16 * * * *", 96, 16),
        ("0 * * * *", 24, 60),
        ("0,30 9-17 * * *", 18, 15 * 60 + 30),
        ("0 9 * * MON-FRI", 5 / 7, 3 * 24 * 60),
        ("0 0 * * 7", 1 / 7, 7 * 24 * 60),
    ],
)
def test_cron_runs_per_day_and_longest_gap(expression: str, per_day: float, gap: int) -> None:
    schedule = cron.parse(expression)
    assert (schedule.runs_per_day, schedule.longest_gap_minutes) == (pytest.approx(per_day), gap)


# The program under the mock runtime


def _by_name(records) -> dict[str, dict]:
    return {r.name: props(r) for r in records}


@pytest.mark.parametrize("stack", ["staging", "production", "staging-direct"])
def test_every_alert_is_labelled_documented_and_routed_to_its_team(stack: str) -> None:
    p = plan(stack)
    channels = _by_name(of_type(p, CHANNEL))
    team_of_channel = {
        json_format.MessageToDict(record.outputs)["name"]: props(record)["userLabels"][
            "conduit-team"
        ]
        for record in of_type(p, CHANNEL)
    }
    assert sorted(c["labels"]["email_address"] for c in channels.values()) == [
        "backend-team@acme.example",
        "infra-oncall@acme.example",
    ]
    alerts = _by_name(of_type(p, ALERT))
    routes = {"infrastructure": "infrastructure", "configuration": "infrastructure"}
    for name, alert in alerts.items():
        labels = alert["userLabels"]
        team = routes.get(labels["conduit-failure-class"], "application")
        assert labels["conduit-team"] == team, name
        assert {team_of_channel[c] for c in alert["notificationChannels"]} == {team}, name
        content = alert["documentation"]["content"]
        for part in ("**What fired:**", "**Likely causes:**", "**Remediation:**"):
            assert part in content, name
        assert re.search(rf"`conduit validate --stack {stack} --only [a-z-]+`", content), name
        strategy = alert["alertStrategy"]
        assert strategy["autoClose"] == "1800s", name
        log_based = any("conditionMatchedLog" in c for c in alert["conditions"])
        assert ("notificationRateLimit" in strategy) == log_based, name
    covers = {a["userLabels"]["conduit-covers"] for a in alerts.values()}
    assert {"database", "egress", "service-backend", "service-auth"} <= covers
    connector_alert = f"{stack.split('-')[0]}-connector-saturation"
    assert (connector_alert in alerts) == (stack != "staging-direct")


def test_the_database_alert_reads_postgresql_backends_not_network_connections() -> None:
    alert = _by_name(of_type(plan("staging"), ALERT))["staging-database-connections"]
    (condition,) = alert["conditions"]
    threshold = condition["conditionThreshold"]
    assert "cloudsql.googleapis.com/database/postgresql/num_backends" in threshold["filter"]
    assert 'resource.labels.database_id="acme-staging:' in threshold["filter"]
    # 90 % of max_connections 400.
    assert threshold["thresholdValue"] == 360


def test_log_based_metrics_read_the_probe_job_and_the_start_up_lines() -> None:
    metrics = _by_name(of_type(plan("staging"), METRIC))
    connect = metrics["staging-probe-connect-seconds"]
    # The probe job and each scheduled tier's own job print results.
    jobs = (
        '"backend-probe" OR "backend-probe-connectivity" OR "backend-probe-connectivity-redis" '
        'OR "backend-probe-performance" OR "backend-probe-performance-redis"'
    )
    assert f"resource.labels.job_name=({jobs})" in connect["filter"]
    assert connect["valueExtractor"] == "EXTRACT(jsonPayload.connectSeconds.max)"
    assert connect["metricDescriptor"]["valueType"] == "DISTRIBUTION"
    results = metrics["staging-probe-results"]
    assert results["labelExtractors"] == {
        "kind": "EXTRACT(jsonPayload.kind)",
        "ok": "EXTRACT(jsonPayload.ok)",
        "classification": "EXTRACT(jsonPayload.classification)",
    }
    failures = metrics["staging-startup-failures"]
    assert 'resource.labels.service_name=("backend" OR "auth")' in failures["filter"]


def test_scheduler_jobs_run_a_job_per_tier_as_it_is_with_no_overrides() -> None:
    p = plan("staging")
    jobs = _by_name(of_type(p, SCHEDULE))
    runs = {
        job["name"]: (
            job["schedule"],
            json.loads(base64.b64decode(job["httpTarget"]["body"])),
            job["httpTarget"]["uri"].removeprefix(
                "https://run.googleapis.com/v2/projects/acme-staging/locations/us-central1/jobs/"
            ),
        )
        for job in jobs.values()
    }
    # Nothing overridden: each tier runs its own job (#26: overrides could redirect the probe).
    assert runs == {
        "staging-probe-connectivity": ("*/5 * * * *", {}, "backend-probe-connectivity:run"),
        "staging-probe-connectivity-redis": (
            "*/5 * * * *", {}, "backend-probe-connectivity-redis:run"
        ),
        "staging-probe-performance": ("*/15 * * * *", {}, "backend-probe-performance:run"),
        "staging-probe-performance-redis": (
            "*/15 * * * *", {}, "backend-probe-performance-redis:run"
        ),
        "staging-probe-storm": ("0 * * * *", {}, "backend-probe:run"),
    }  # fmt: skip
    deadline = ["--deadline", "115"]
    probe_jobs = {
        job["name"]: (
            job["template"]["taskCount"],
            job["template"]["parallelism"],
            job["template"]["template"]["containers"][0]["args"],
            job["template"]["template"]["serviceAccount"],
        )
        for job in (props(r) for r in of_type(p, "gcp:cloudrunv2/job:Job"))
    }
    account = "backend-probe-sa@acme-staging.iam.gserviceaccount.com"
    assert probe_jobs == {
        "backend-probe": (
            10, 10, ["probe", "--connections", "1", "--hold", "2", *deadline], account
        ),
        "backend-probe-connectivity": (
            1, 1, ["probe", "--connections", "1", *deadline], account
        ),
        "backend-probe-connectivity-redis": (
            1, 1, ["probe", "--redis", "--connections", "1", *deadline], account
        ),
        "backend-probe-performance": (
            1, 1, ["probe", "--connections", "50", *deadline], account
        ),
        "backend-probe-performance-redis": (
            1, 1, ["probe", "--redis", "--connections", "50", *deadline], account
        ),
    }  # fmt: skip
    for job in jobs.values():
        target = job["httpTarget"]
        assert target["httpMethod"] == "POST"
        assert target["oauthToken"]["serviceAccountEmail"] == (
            "staging-probe-scheduler@acme-staging.iam.gserviceaccount.com"
        )
    grants = sorted(
        (g["name"], g["role"], g["member"])
        for g in (props(r) for r in of_type(p, "gcp:cloudrunv2/jobIamMember:JobIamMember"))
    )
    member = "serviceAccount:staging-probe-scheduler@acme-staging.iam.gserviceaccount.com"
    assert RUNNER_ROLE == "roles/run.invoker"
    assert grants == [(name, RUNNER_ROLE, member) for name in sorted(probe_jobs)]


def test_no_committed_stack_grants_a_role_that_overrides_a_job() -> None:
    for stack in ("staging", "staging-direct", "production"):
        roles = {props(r)["role"] for r in plan(stack).custom_resources if "role" in props(r)}
        assert RUNNER_ROLE in roles, stack
        assert [role for role in roles if "WithOverrides" in role] == [], stack


# The dashboard against the Monitoring API's own schema


def _json_schema(discovery: dict, root: str) -> dict:
    """A discovery document's schemas as JSON Schema: unknown keys refused, enums enforced."""

    def convert(spec: dict) -> dict:
        if "$ref" in spec:
            return {"$ref": f"#/definitions/{spec['$ref']}"}
        kind = spec.get("type")
        out: dict[str, Any] = {}
        if kind == "object":
            out["type"] = "object"
            if "properties" in spec:
                out["properties"] = {k: convert(v) for k, v in spec["properties"].items()}
                out["additionalProperties"] = False
            elif "additionalProperties" in spec:
                out["additionalProperties"] = convert(spec["additionalProperties"])
        elif kind == "array":
            out = {"type": "array", "items": convert(spec["items"])}
        elif kind == "integer":
            out = {"type": ["integer", "string"]}
        elif kind == "number":
            out = {"type": "number"}
        elif kind == "boolean":
            out = {"type": "boolean"}
        elif kind == "string":
            out = {"type": "string"}
            if "enum" in spec:
                out["enum"] = spec["enum"]
        return out

    definitions = {name: convert(spec) for name, spec in discovery["schemas"].items()}
    return {"$ref": f"#/definitions/{root}", "definitions": definitions}


@pytest.mark.parametrize("stack", ["staging", "staging-direct"])
def test_the_dashboard_is_a_valid_monitoring_dashboard_with_a_criterion_on_every_chart(
    stack: str,
) -> None:
    (record,) = of_type(plan(stack), "gcp:monitoring/dashboard:Dashboard")
    dashboard = json.loads(props(record)["dashboardJson"])
    # Dashboards are Monitoring's v1 API (its v3 document has no Dashboard schema).
    discovery = json.loads((DISCOVERY / "monitoring.v1.json").read_text())
    jsonschema.validate(dashboard, _json_schema(discovery, "Dashboard"))
    titles = [tile["widget"]["title"] for tile in dashboard["mosaicLayout"]["tiles"]]
    for tile in dashboard["mosaicLayout"]["tiles"]:
        assert tile["widget"]["xyChart"]["thresholds"], tile["widget"]["title"]
    assert ("connector: throughput" in titles) == (stack == "staging")
    for expected in (
        "backend: start-up latency (p99)",
        "auth: 5xx ratio",
        "Cloud SQL: PostgreSQL backends",
        "continuous validation: database connect time",
        "continuous validation: Redis connect time",
    ):
        assert expected in titles


def test_the_schema_check_refuses_a_misspelt_dashboard_field() -> None:
    discovery = json.loads((DISCOVERY / "monitoring.v1.json").read_text())
    with pytest.raises(jsonschema.ValidationError, match="xyCharts"):
        jsonschema.validate(
            {"displayName": "d", "mosaicLayout": {"tiles": [{"widget": {"xyCharts": {}}}]}},
            _json_schema(discovery, "Dashboard"),
        )


# The log-based metrics against what `conduit probe` really prints


def _probe(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "probe", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return json.loads(result.stdout)


def _field(entry: dict, path: str) -> Any:
    node: Any = entry
    for step in path.split("."):
        if not isinstance(node, dict) or step not in node:
            return None
        node = node[step]
    return node


def _matches(entry: dict, flt: str) -> bool:
    """The clauses the metrics' filters use: `a.b="v"`, `a.b=("v" OR "w")`, `a.b:*`, joined by
    AND."""
    for clause in flt.split(" AND "):
        clause = clause.strip()
        if clause.endswith(":*"):
            if _field(entry, clause[:-2]) is None:
                return False
            continue
        key, _, value = clause.partition("=")
        values = value.removeprefix("(").removesuffix(")").split(" OR ")
        if str(_field(entry, key)) not in [json.loads(v) for v in values]:
            return False
    return True


def _as_logged(result: dict, job: str = "backend-probe") -> dict:
    """A probe result as Cloud Logging stores the probe job's stdout line."""
    return {
        "resource": {"type": "cloud_run_job", "labels": {"job_name": job}},
        "logName": "projects/acme-staging/logs/run.googleapis.com%2Fstdout",
        "jsonPayload": result,
    }


@pytest.fixture(scope="module")
def redis_server():
    server = start_redis()
    yield server
    server.stop()


def test_every_metric_extractor_names_a_field_the_real_probe_prints(postgres, redis_server) -> None:
    metrics = _by_name(of_type(plan("staging"), METRIC))
    probe_metrics = [metrics["staging-probe-connect-seconds"], metrics["staging-probe-results"]]
    printed = {
        "postgresql": _probe("--dsn", postgres.dsn(), "--connections", "3"),
        "redis": _probe("--redis-url", redis_server.url(), "--connections", "3"),
    }
    for kind, result in printed.items():
        entry = _as_logged(result)
        for metric in probe_metrics:
            assert _matches(entry, metric["filter"]), (kind, metric["filter"])
            for label, extractor in metric["labelExtractors"].items():
                path = re.fullmatch(r"EXTRACT\((.+)\)", extractor).group(1)
                assert _field(entry, path) is not None, (kind, label, path)
            assert _field(entry, "jsonPayload.kind") == kind
        path = re.fullmatch(r"EXTRACT\((.+)\)", probe_metrics[0]["valueExtractor"]).group(1)
        value = _field(entry, path)
        assert isinstance(value, float) and value > 0, (kind, path, value)


def test_a_failed_probe_still_feeds_the_results_metric_with_its_class() -> None:
    metric = _by_name(of_type(plan("staging"), METRIC))["staging-probe-results"]
    # Nothing listens on port 1: refused, infrastructure.
    result = _probe("--dsn", "postgresql://app@127.0.0.1:1/app", "--deadline", "5")
    # Printed by the connectivity tier's own job; a job of another stack's is not counted.
    entry = _as_logged(result, "backend-probe-connectivity")
    assert _matches(entry, metric["filter"])
    assert not _matches(_as_logged(result, "orders-probe"), metric["filter"])
    assert (_field(entry, "jsonPayload.ok"), _field(entry, "jsonPayload.classification")) == (
        False,
        "infrastructure",
    )


def test_the_start_up_filters_match_the_lines_the_validator_parses() -> None:
    lines = {
        'STARTUP HTTP probe failed 12 times consecutively for container "backend" on path '
        '"/health". The instance was not started.': "probe",
        "Container called exit(3).": "exit",
        "Container called exit(0).": None,
        'STARTUP HTTP probe succeeded after 3 attempts for container "backend"': None,
    }
    for text, cause in lines.items():
        failed = _text_matches(text, startup_log.PROBE_FAILURES)
        exited = _text_matches(text, startup_log.CONTAINER_EXITS)
        assert (failed, exited) == (cause == "probe", cause == "exit"), text
        assert bool(startup_log.PROBE_FAILED.search(text)) == (cause == "probe"), text


def _text_matches(text: str, flt: str) -> bool:
    """`textPayload:"x"` (contains) clauses, joined by AND, each possibly negated by NOT."""
    for clause in flt.split(" AND "):
        negated = clause.startswith("NOT ")
        needle = json.loads(clause.removeprefix("NOT ").removeprefix("textPayload:"))
        if (needle in text) == negated:
            return False
    return True


# The operations page and the preview's verdict


def test_the_operations_page_s_schedule_table_matches_the_committed_schedules() -> None:
    from conduit.core.probe_runs import runs

    settings = parse_settings(stack_config(), "Pulumi.staging.yaml")
    per_tier: dict[str, list[float]] = {}
    for run in runs(settings):
        per_day = cron.parse(getattr(settings.continuous_validation, run.tier)).runs_per_day
        totals = per_tier.setdefault(run.tier, [0, 0])
        totals[0] += per_day
        totals[1] += per_day * run.tasks
    page = (ROOT / "docs" / "operations.md").read_text()
    for tier, (executions, tasks) in per_tier.items():
        row = re.search(rf"^\| `{tier}` \| .* \| (\d+) \| (\d+) \|$", page, re.M)
        assert row is not None, tier
        assert (int(row.group(1)), int(row.group(2))) == (executions, tasks), tier
    total = sum(tasks for _, tasks in per_tier.values())
    assert f"{round(total):,} probe task runs a day" in page


def test_production_without_alerting_fails_the_preview(tmp_path: Path) -> None:
    config = stack_config("production")
    del config["conduit:alerting"]
    for name in ("__main__.py", "Pulumi.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    (tmp_path / "Pulumi.production.yaml").write_text(yaml.safe_dump({"config": config}))
    (tmp_path / "policies").symlink_to(POLICIES_DIR)
    result = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "preview", "--cwd", str(tmp_path), "--stack",
         "production"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    failed = re.findall(r"^FAIL  (\S+) \[mandatory", result.stdout, re.M)
    assert failed == ["alerts-cover-startup-path"] * 4, result.stdout


@pytest.mark.parametrize(
    ("left_out", "present", "absent"),
    [
        (
            "conduit:alerting",
            {SCHEDULE, METRIC, "gcp:monitoring/dashboard:Dashboard"},
            {ALERT, CHANNEL, "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig"},
        ),
        (
            "conduit:continuousValidation",
            {ALERT, CHANNEL, METRIC, "gcp:monitoring/dashboard:Dashboard"},
            {SCHEDULE, "gcp:cloudrunv2/jobIamMember:JobIamMember"},
        ),
    ],
)
def test_each_half_of_operations_stands_alone(
    project_copy, left_out: str, present: set[str], absent: set[str]
) -> None:
    from conduit.preview.plan import plan_stack

    config = stack_config()
    del config[left_out]
    types = {r.type for r in plan_stack(project_copy(config), "staging").custom_resources}
    assert present <= types, present - types
    assert not absent & types, absent & types


def test_a_stack_without_operations_has_none_of_it(project_copy) -> None:
    from conduit.preview.plan import plan_stack

    config = stack_config()
    del config["conduit:alerting"], config["conduit:continuousValidation"]
    p = plan_stack(project_copy(config), "staging")
    assert not {r.type for r in p.custom_resources if "monitoring" in r.type or "logging" in r.type}
    apis = {props(r)["service"] for r in of_type(p, "gcp:projects/service:Service")}
    assert not {"monitoring.googleapis.com", "cloudscheduler.googleapis.com"} & apis


def test_probe_alerts_fire_on_one_bad_run_and_metric_alerts_on_five_minutes() -> None:
    alerts = _by_name(of_type(plan("staging"), ALERT))
    for name, alert in alerts.items():
        for condition in alert["conditions"]:
            threshold = condition.get("conditionThreshold")
            if threshold is None or "uptime" in name:
                continue
            # A scheduled probe writes one result per run: five minutes of them never come.
            per_run = "probe" in name
            assert threshold["duration"] == ("0s" if per_run else "300s"), name
            period = threshold["aggregations"][0]["alignmentPeriod"]
            assert period == ("300s" if per_run else "60s"), name

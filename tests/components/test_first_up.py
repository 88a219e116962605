"""What the first `pulumi up` needs of the recorded plan: every reference by string waits for its
target, Monitoring filters in the forms the API accepts, no alert on a metric created in the
same update, foreign images readable, and a pack that raises is one line, exit 3."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conduit.preview.plan import Plan
from conduit.preview.runner import ResourceRecord
from tests.support.cli import conduit
from tests.support.program import incident_plan, of_type, plan, props
from tests.support.project import ROOT

STACKS = ("staging", "staging-direct", "production")
FIXTURES = ROOT / "tests" / "fixtures"


def _plans() -> Iterator[tuple[str, Plan]]:
    for stack in STACKS:
        yield stack, plan(stack)
    yield "incident", incident_plan()


def _outputs(record: ResourceRecord) -> dict[str, Any]:
    from google.protobuf import json_format

    return json_format.MessageToDict(record.outputs)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _identities(record: ResourceRecord) -> set[str]:
    """The strings that name a resource: its name, self link, URI, email, member. A grant's
    outputs echo what it grants on and to, so they name nothing of their own."""
    if "Iam" in record.type or "IAM" in record.type:
        return set()
    outputs = _outputs(record)
    names = {outputs.get(key) for key in ("name", "selfLink", "uri", "email", "member")}
    return {n for n in names if isinstance(n, str) and len(n) > 3}


def _waits(p: Plan) -> dict[str, set[str]]:
    """URN -> every URN it waits for, through dependencies and parents."""
    by_urn = {r.urn: r for r in p.recording.resources}
    memo: dict[str, set[str]] = {}

    def reach(urn: str) -> set[str]:
        if urn not in memo:
            memo[urn] = set()
            record = by_urn.get(urn)
            found: set[str] = set()
            if record is not None:
                for step in [*record.dependencies, *([record.parent] if record.parent else [])]:
                    found |= {step, *reach(step)}
            memo[urn] = found
        return memo[urn]

    return {urn: reach(urn) for urn in by_urn}


@pytest.mark.parametrize("name", [*STACKS, "incident"])
def test_every_string_naming_another_resource_has_a_dependency_path_to_it(name: str) -> None:
    p = dict(_plans())[name]
    resources = p.custom_resources
    named_by = {identity: record.urn for record in resources for identity in _identities(record)}
    waits = _waits(p)
    unwaited = [
        (record.urn, value, named_by[value])
        for record in resources
        for value in _strings(props(record))
        if value in named_by
        and named_by[value] != record.urn
        and named_by[value] not in waits[record.urn]
    ]
    assert unwaited == []


@pytest.mark.parametrize("stack", STACKS)
def test_each_run_grant_depends_on_the_job_or_service_it_is_on(stack: str) -> None:
    p = plan(stack)
    jobs = {props(r)["name"]: r.urn for r in of_type(p, "gcp:cloudrunv2/job:Job")}
    services = {props(r)["name"]: r.urn for r in of_type(p, "gcp:cloudrunv2/service:Service")}
    grants = [
        *((r, jobs) for r in of_type(p, "gcp:cloudrunv2/jobIamMember:JobIamMember")),
        *((r, services) for r in of_type(p, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember")),
    ]
    assert len(grants) >= 3
    for grant, targets in grants:
        target = targets[props(grant)["name"]]
        assert target in grant.dependencies, grant.urn
        assert target in grant.property_dependencies["name"], grant.urn


# Monitoring filters (https://cloud.google.com/monitoring/api/v3/filters): terms joined by AND,
# each `selector = value` with a quoted string or one_of/starts_with of quoted strings.
_VALUE = r'"[^"]*"'
_TERM = re.compile(
    r"(?P<lhs>metric\.type|resource\.type|(?:metric|resource)\.labels?\.[a-z_]+)"
    rf"\s*=\s*(?P<rhs>{_VALUE}|(?:one_of|starts_with)\(\s*{_VALUE}(?:\s*,\s*{_VALUE})*\s*\))$"
)


def _terms(flt: str) -> list[re.Match[str]]:
    parts = [part.strip() for part in flt.split(" AND ")]
    matches = [_TERM.match(part) for part in parts]
    assert all(matches), f"not a documented Monitoring filter term in: {flt}"
    return [m for m in matches if m is not None]


def _threshold_filters(p: Plan) -> Iterator[tuple[str, str]]:
    for record in of_type(p, "gcp:monitoring/alertPolicy:AlertPolicy"):
        for condition in props(record).get("conditions", []):
            threshold = condition.get("conditionThreshold")
            if threshold is None:
                continue
            for key in ("filter", "denominatorFilter"):
                if key in threshold:
                    yield record.urn, threshold[key]


@pytest.mark.parametrize("stack", STACKS)
def test_threshold_filters_restrict_metric_and_resource_type_in_documented_forms(
    stack: str,
) -> None:
    filters = list(_threshold_filters(plan(stack)))
    assert filters
    for urn, flt in filters:
        selectors = [m["lhs"] for m in _terms(flt)]
        assert selectors.count("metric.type") == 1, urn
        assert selectors.count("resource.type") == 1, urn


@pytest.mark.parametrize(
    "flt",
    [
        'metric.type="m" AND metric.labels.check_id=("a" OR "b")',
        'metric.type="m" AND resource.type in ("a")',
        'metric.type="m" AND resource.type=cloud_run_job',
    ],
)
def test_the_filter_grammar_refuses_undocumented_forms(flt: str) -> None:
    with pytest.raises(AssertionError, match="not a documented Monitoring filter term"):
        _terms(flt)


@pytest.mark.parametrize("stack", STACKS)
def test_no_alert_reads_a_metric_the_same_update_creates(stack: str) -> None:
    p = plan(stack)
    created = {
        f"logging.googleapis.com/user/{props(r)['name']}"
        for r in of_type(p, "gcp:logging/metric:Metric")
    }
    assert created
    for record in of_type(p, "gcp:monitoring/alertPolicy:AlertPolicy"):
        text = " ".join(_strings(props(record)))
        assert not any(metric in text for metric in created), record.urn


def test_uptime_grants_wait_for_the_monitoring_agent_they_grant_to() -> None:
    p = plan("staging")
    (identity,) = of_type(p, "gcp:projects/serviceIdentity:ServiceIdentity")
    assert props(identity)["service"] == "monitoring.googleapis.com"
    invokers = [
        r
        for r in of_type(p, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember")
        if "gcp-sa-monitoring-notification" in props(r)["member"]
    ]
    assert sorted(r.urn.rsplit("::", 1)[-1] for r in invokers) == [
        "staging-auth-uptime-invoker",
        "staging-backend-uptime-invoker",
    ]
    assert all(identity.urn in r.dependencies for r in invokers)


def test_a_foreign_registry_is_read_by_the_run_agent_before_the_job_pulls_from_it() -> None:
    p = plan("staging-direct")
    (grant,) = of_type(p, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
    granted = props(grant)
    assert {k: granted[k] for k in ("project", "location", "repository", "role")} == {
        "project": "acme-staging",
        "location": "us-central1",
        "repository": "conduit",
        "role": "roles/artifactregistry.reader",
    }
    assert re.fullmatch(
        r"serviceAccount:service-\d{12}@serverless-robot-prod\.iam\.gserviceaccount\.com",
        granted["member"],
    )
    # The probe job and each tier's own pull the image.
    jobs = of_type(p, "gcp:cloudrunv2/job:Job")
    assert len(jobs) == 5 and all(grant.urn in job.dependencies for job in jobs)
    # Images of the stack's own project, and Google's public samples, need no grant.
    for stack in ("staging", "production"):
        assert not of_type(plan(stack), grant.type)


def _copy_project(tmp_path: Path, program: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.staging.yaml"):
        shutil.copy(ROOT / name, project / name)
    shutil.copy(program, project / "__main__.py")
    (project / "Pulumi.yaml").write_text(
        (project / "Pulumi.yaml")
        .read_text()
        .replace("virtualenv: .venv", f"virtualenv: {ROOT / '.venv'}")
    )
    return project


def test_a_grant_that_names_its_job_by_a_literal_string_fails_the_rule(tmp_path: Path) -> None:
    project = _copy_project(tmp_path, FIXTURES / "literal_job_grant" / "__main__.py")
    result = conduit(
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
    )
    assert result.returncode == 1, result.stderr
    findings = [
        f
        for f in json.loads(result.stdout)["findings"]
        # The committed stack's one advisory (POSTGRES_15) is not this test's business.
        if f["outcome"] in ("fail", "warn") and f["rule"] != "cloudsql-latest-major-version"
    ]
    assert [(f["rule"], f["subject"].rsplit("::", 1)[-1]) for f in findings] == [
        ("references-wait-for-target", "staging-scheduler-runs-probe")
    ]
    (finding,) = findings
    assert finding["message"] == (
        "staging-scheduler-runs-probe names cloudrunv2 Job staging-job by the literal string "
        "'backend-probe' in name and does not depend on it: the engine creates both at once, "
        "and GCP refuses staging-scheduler-runs-probe (404) until staging-job exists."
    )


def _broken_pack(tmp_path: Path, kind: str) -> Path:
    pack = tmp_path / f"broken-{kind}"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text(
        f"runtime:\n  name: python\n  options:\n    virtualenv: {ROOT / '.venv'}\n"
    )
    shutil.copy(FIXTURES / "broken_pack" / "__main__.py", pack / "__main__.py")
    (pack / "kind.txt").write_text(kind)
    return pack


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif", "junit"])
@pytest.mark.parametrize("kind", ["resource", "stack"])
def test_a_pack_that_raises_inside_pulumi_policy_is_one_line_exit_3(
    tmp_path: Path, kind: str, fmt: str
) -> None:
    pack = _broken_pack(tmp_path, kind)
    result = conduit("preview", "--policy-pack", str(pack), "--format", fmt)
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    subject = "the stack" if kind == "stack" else "urn:pulumi:staging::conduit::"
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"conduit preview: the policy pack broken@0.0.1 ({pack}) failed: policy "
        f"reports-a-number raised on {subject}"
    ), line
    assert "Traceback" not in result.stderr

"""Issue #27: another team's first day: any environment, a grade, regions, names, line numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conduit.core import connection_urls, facts
from conduit.core.loader import SettingsError, load_stack_file, parse_settings
from conduit.core.suggest import closest
from conduit.preview.plan import Plan, plan_stack
from conduit.preview.run import (
    PreviewRequest,
    default_policy_config,
    describe_policy_config,
    value_sources,
)
from tests.support import program as program_support
from tests.support.project import POLICIES_DIR, ROOT, stack_config

SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""Pulumi's secret signature: the key of the envelope a secret value travels in."""

FILE = "Pulumi.dev.yaml"


def _problems(config: dict[str, Any], **kwargs: Any) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        parse_settings(config, FILE, **kwargs)
    return caught.value.problems


@pytest.mark.parametrize("environment", ["dev", "qa", "preview", "prod-eu", "a", "a" * 14])
def test_any_environment_name_is_accepted(environment: str) -> None:
    config = stack_config()
    config["conduit:environment"] = environment
    assert parse_settings(config, FILE).environment == environment


def test_an_environment_too_long_for_a_derived_name_is_refused_at_one_past() -> None:
    # The scheduler's account id (`<prefix>-probe-scheduler`) is the tightest: 30 characters.
    config = stack_config()
    config["conduit:environment"] = "a" * 15
    (problem,) = _problems(config)
    assert problem == (
        f"{FILE}: conduit:environment: the scheduler service account id "
        f"'{'a' * 15}-probe-scheduler' (31 characters) does not fit Google's pattern "
        f"{facts.SERVICE_ACCOUNT_ID_PATTERN.pattern}; choose a shorter environment"
    )


@pytest.mark.parametrize("environment", ["Dev", "-dev", "dev-", "a" * 21, "", "dev_1"])
def test_an_environment_name_outside_the_pattern_is_refused(environment: str) -> None:
    config = stack_config()
    config["conduit:environment"] = environment
    (problem,) = _problems(config)
    assert problem.startswith(f"{FILE}: conduit:environment: String should match pattern")


@pytest.mark.parametrize(
    ("environment", "grade", "effective"),
    [
        ("production", None, "production"),
        ("staging", None, "standard"),
        ("prod-eu", None, "standard"),
        ("prod-eu", "production", "production"),
        ("production", "standard", "standard"),
    ],
)
def test_the_grade_follows_the_key_else_the_production_environment(
    environment: str, grade: str | None, effective: str
) -> None:
    config = stack_config()
    config["conduit:environment"] = environment
    if grade:
        config["conduit:grade"] = grade
    assert parse_settings(config, FILE).effective_grade == effective


def test_an_unknown_grade_names_the_allowed_ones() -> None:
    config = stack_config()
    config["conduit:grade"] = "strict"
    (problem,) = _problems(config)
    assert problem == (
        f"{FILE}: conduit:grade: Input should be 'production' or 'standard' (got 'strict')"
    )


@pytest.mark.parametrize("region", ["europe-west10", "us-central1", "me-central2", "africa-south1"])
def test_regions_of_the_table_are_accepted(region: str) -> None:
    config = stack_config()
    config["gcp:region"] = region
    assert parse_settings(config, FILE).region == region


@pytest.mark.parametrize(
    ("region", "meant"),
    [
        ("europe-west01", "europe-west1"),
        ("us-centrall1", "us-central1"),
        ("europe-west11", "europe-west1"),
        ("mars-xx", None),
    ],
)
def test_a_region_off_the_table_is_refused_with_the_closest(region: str, meant: str | None) -> None:
    config = stack_config()
    config["gcp:region"] = region
    (problem,) = _problems(config)
    hint = f"; did you mean {meant}?" if meant else ""
    assert problem == (
        f"{FILE}: gcp:region: not a region where Cloud Run, Cloud SQL and Serverless VPC Access "
        f"are offered{hint} (facts.RUN_REGIONS lists {len(facts.RUN_REGIONS)}, from Google's "
        f"location pages) (got {region!r})"
    )


def test_the_regions_table_is_sorted_unique_and_covers_the_issue() -> None:
    assert len(set(facts.RUN_REGIONS)) == len(facts.RUN_REGIONS)
    assert "europe-west10" in facts.RUN_REGIONS
    assert set(facts.REDIS_REGIONS) <= set(facts.RUN_REGIONS)


def test_closest_finds_near_misses_only() -> None:
    assert closest("maxInstaces", ["minInstances", "maxInstances"]) == "maxInstances"
    assert closest("MAXINSTANCES", ["maxInstances"]) == "maxInstances"
    assert closest("zzz", ["maxInstances"]) is None


@pytest.mark.parametrize(("given", "seen"), [(1, "1"), (2, "2"), (0.5, "0.5"), ("500m", "500m")])
def test_cpu_takes_a_number_as_the_same_quantity(given: object, seen: str) -> None:
    config = stack_config()
    backend = config["conduit:services"]["backend"]
    backend["cpu"] = given
    if seen in ("0.5", "500m"):
        backend.update(concurrency=1, memory="512Mi")
    settings = parse_settings(config, FILE)
    assert settings.services["conduit:services.backend"].cpu == seen


@pytest.mark.parametrize("given", [True, [1], {"n": 1}])
def test_cpu_refuses_what_is_no_quantity(given: object) -> None:
    config = stack_config()
    config["conduit:services"]["backend"]["cpu"] = given
    (problem,) = _problems(config)
    assert problem.startswith(f"{FILE}: conduit:services.backend.cpu: ")


def _write(tmp_path: Path, config: dict[str, Any], stack: str = "dev") -> Path:
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return path


def test_a_typo_in_a_key_is_one_line_with_file_line_and_did_you_mean(tmp_path: Path) -> None:
    config = stack_config()
    config["conduit:services"]["backend"]["maxInstaces"] = 3
    path = _write(tmp_path, config)
    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if "maxInstaces" in text
    )
    with pytest.raises(SettingsError) as caught:
        load_stack_file(path)
    (problem,) = caught.value.problems
    assert problem.startswith(
        f"{FILE}:{line}: conduit:services.backend.maxInstaces: unknown key; did you mean "
        "maxInstances? (allowed: image, port, "
    )


def test_a_missing_top_level_key_is_located_at_config(tmp_path: Path) -> None:
    config = stack_config()
    del config["conduit:database"]
    with pytest.raises(SettingsError) as caught:
        load_stack_file(_write(tmp_path, config))
    assert caught.value.problems == [f"{FILE}:1: conduit:database: required"]


def test_a_value_under_env_is_never_echoed() -> None:
    config = stack_config()
    config["conduit:services"]["backend"]["env"]["API_TOKEN"] = 12345
    (problem,) = _problems(config)
    assert "12345" not in problem
    assert (
        problem == f"{FILE}: conduit:services.backend.env.API_TOKEN: Input should be a valid string"
    )


# The policy config follows the grade, and every report names it.


def test_a_stack_with_its_own_policy_config_uses_it() -> None:
    assert default_policy_config(POLICIES_DIR, "staging", "standard") == (
        POLICIES_DIR / "config" / "staging.json"
    )


def test_a_production_grade_stack_without_its_own_uses_the_production_defaults() -> None:
    chosen = default_policy_config(POLICIES_DIR, "prod-eu", "production")
    assert chosen == POLICIES_DIR / "config" / "production.json"
    request = PreviewRequest(ROOT, "prod-eu", POLICIES_DIR, None)
    assert describe_policy_config(request, "production", chosen, given=False) == (
        "production defaults (policies/config/production.json; no policies/config/prod-eu.json)"
    )


def test_a_standard_stack_without_its_own_runs_on_the_packs_defaults_and_says_so() -> None:
    assert default_policy_config(POLICIES_DIR, "dev", "standard") is None
    request = PreviewRequest(ROOT, "dev", POLICIES_DIR, None)
    assert describe_policy_config(request, "standard", None, given=False) == (
        "standard defaults (the pack's own; no policies/config/dev.json)"
    )


def test_a_given_policy_config_is_named_as_given() -> None:
    path = POLICIES_DIR / "config" / "staging.json"
    request = PreviewRequest(ROOT, "dev", POLICIES_DIR, path)
    assert describe_policy_config(request, "standard", path, given=True) == (
        "policies/config/staging.json (--policy-config)"
    )


# A connection string by reference, no silent random values, names from a prefix.

ORDERS = ROOT / "examples" / "orders"


def _orders_config() -> dict[str, Any]:
    return yaml.safe_load((ORDERS / "Pulumi.dev.yaml").read_text())["config"]


def test_the_orders_stack_hands_database_url_over_by_reference_only() -> None:
    plan = program_support.plan_at(ORDERS, "dev")
    (service,) = program_support.of_type(plan, "gcp:cloudrunv2/service:Service")
    envs = {
        e["name"]: e for e in program_support.props(service)["template"]["containers"][0]["envs"]
    }
    assert envs["DATABASE_URL"] == {
        "name": "DATABASE_URL",
        "valueSource": {"secretKeyRef": {"secret": "orders-dev-database-url", "version": "latest"}},
    }
    assert envs["STRIPE_KEY"]["valueSource"]["secretKeyRef"]["secret"] == "stripe-key"
    versions = {
        r.name: program_support.props(r)
        for r in program_support.of_type(plan, "gcp:secretmanager/secretVersion:SecretVersion")
    }
    data = versions["orders-dev-orders-dev-database-url-v"]["secretData"]
    # A secret from the start: the engine's secret envelope, never a plain string.
    assert isinstance(data, dict) and SECRET_SIG in data
    assert data["value"].startswith("postgresql://app:") and data["value"].endswith(
        ":5432/app?sslmode=require"
    )
    secrets = {
        program_support.props(r)["secretId"]: program_support.props(r)["labels"]
        for r in program_support.of_type(plan, "gcp:secretmanager/secret:Secret")
    }
    # The service reads the URL alone: its user's password is in no secret of its own.
    assert secrets == {"orders-dev-database-url": {"conduit-value-source": "composed"}}
    # Nothing of the URL in the stack's outputs.
    assert "postgresql://" not in json.dumps(plan.recording.stack_outputs, default=str)


def test_database_url_under_secrets_with_no_value_is_one_line_that_says_why() -> None:
    config = _orders_config()
    del config["conduit:services"]["orders"]["databaseUrlEnv"]
    config["conduit:secrets"] = {"DATABASE_URL": "database-url"}
    problems = _problems(config, secret_names=frozenset())
    assert problems == [
        f"{FILE}: conduit:secrets.DATABASE_URL: no value, and DATABASE_URL is a URL: the stack "
        "would generate a random one and the app would fail at start-up. Set it with `pulumi "
        "config set --secret --path conduit:secretValues.DATABASE_URL VALUE`, or move it to "
        "conduit:externalSecrets; or let the stack compose it: databaseUrlEnv/redisUrlEnv on "
        "the service"
    ]
    # With a value set (its name under conduit:secretValues), the same file is valid.
    parse_settings(config, FILE, secret_names=frozenset({"DATABASE_URL"}))


def test_an_externally_issued_key_is_never_generated() -> None:
    config = _orders_config()
    config["conduit:secrets"] = {"STRIPE_KEY": "stripe-key"}
    del config["conduit:externalSecrets"]
    (problem,) = _problems(config, secret_names=frozenset())
    assert problem.startswith(
        f"{FILE}: conduit:secrets.STRIPE_KEY: no value, and STRIPE_KEY is issued elsewhere "
        "(externalEnv): "
    )


def test_composed_env_may_not_also_be_a_secret() -> None:
    config = _orders_config()
    config["conduit:secrets"] = {"DATABASE_URL": "database-url"}
    (problem,) = _problems(config)
    assert problem == (
        f"{FILE}: conduit:services.orders.databaseUrlEnv: DATABASE_URL is composed by "
        "databaseUrlEnv and also listed in conduit:secrets or conduit:externalSecrets; keep one"
    )


def test_redis_url_env_needs_redis() -> None:
    config = _orders_config()
    config["conduit:services"]["orders"]["redisUrlEnv"] = "REDIS_URL"
    (problem,) = _problems(config)
    assert problem == f"{FILE}: conduit:services.orders.redisUrlEnv: redisUrlEnv needs redis: true"


def test_the_preview_says_where_each_secret_value_comes_from() -> None:
    plan = program_support.plan("staging")
    generated = (
        "secret DATABASE_PASSWORD of backend (backend-db-password): GENERATED (random), the "
        "password of database user app_backend, backend's alone; reaches it by reference only",
        "secret DATABASE_PASSWORD of probe (backend-probe-db-password): GENERATED (random), the "
        "password of database user app_probe, probe's alone; reaches it by reference only",
        "secret REDIS_AUTH (staging-redis-auth): the Redis instance's AUTH string; reaches "
        "services with redis: true by reference only",
    )
    assert value_sources(plan.settings, frozenset()) == (
        *generated,
        "secret JWT_SECRET_KEY: GENERATED (random); to give it a value: pulumi config set "
        "--secret --path conduit:secretValues.JWT_SECRET_KEY VALUE",
    )
    assert value_sources(plan.settings, frozenset({"JWT_SECRET_KEY"})) == (
        *generated,
        "secret JWT_SECRET_KEY: set with pulumi config (conduit:secretValues)",
    )


@pytest.mark.parametrize(
    ("tls", "auth", "url"),
    [
        (True, "a/b c", "rediss://:a%2Fb%20c@10.0.0.4:6378/0"),
        (False, "", "redis://10.0.0.4:6378/0"),
    ],
)
def test_redis_urls(tls: bool, auth: str, url: str) -> None:
    assert connection_urls.redis("10.0.0.4", 6378, auth, tls=tls) == url


def test_postgres_url_percent_encodes_every_part() -> None:
    assert connection_urls.postgres("app", "p@ss:/w", "10.60.0.3", "app") == (
        "postgresql://app:p%40ss%3A%2Fw@10.60.0.3:5432/app?sslmode=require"
    )


def _physical_names(plan: Plan) -> set[str]:
    keys = ("name", "accountId", "secretId", "instanceId")
    found = set()
    # A database's and a user's names are their instance's own, not the project's.
    scoped = ("gcp:sql/database:Database", "gcp:sql/user:User")
    for record in plan.recording.resources:
        if not record.custom or record.type in scoped:
            continue
        props = program_support.props(record)
        found |= {props[k] for k in keys if isinstance(props.get(k), str)}
        # Resources without a name of their own are named by the engine after their URN's name.
        found.add(record.name)
    return found


def test_two_stacks_of_one_environment_with_two_prefixes_share_no_name(tmp_path: Path) -> None:
    plans = []
    for prefix in ("orders-a", "orders-b"):
        config = stack_config()
        config["conduit:namePrefix"] = prefix
        config["conduit:network"]["connector"]["name"] = f"{prefix}-connector"
        config["conduit:secrets"] = {"JWT_SECRET_KEY": f"{prefix}-jwt"}
        project = tmp_path / prefix
        project.mkdir()
        for name in ("__main__.py", "Pulumi.yaml"):
            (project / name).write_text((ROOT / name).read_text())
        _write(project, config, "staging")
        plans.append(plan_stack(project, "staging"))
    a, b = (_physical_names(p) for p in plans)
    # Shared inputs (API service names, roles) are no resource names; names derived are apart.
    common = {n for n in a & b if not n.endswith(".googleapis.com")}
    assert common == set()
    assert "orders-a-backend" in a and "orders-b-backend" in b


def test_a_redis_url_is_composed_with_tls_and_auth_by_reference(tmp_path: Path) -> None:
    config = stack_config()
    config["conduit:services"]["backend"]["redisUrlEnv"] = "REDIS_URL"
    for name in ("__main__.py", "Pulumi.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    _write(tmp_path, config, "staging")
    plan = plan_stack(tmp_path, "staging")
    services = {
        r.name: program_support.props(r)
        for r in program_support.of_type(plan, "gcp:cloudrunv2/service:Service")
    }
    (backend,) = services["staging-backend-service"]["template"]["containers"]
    (auth,) = services["staging-auth-service"]["template"]["containers"]
    envs = {e["name"]: e for e in backend["envs"]}
    assert envs["REDIS_URL"]["valueSource"]["secretKeyRef"] == {
        "secret": "staging-redis-url",
        "version": "latest",
    }
    assert "REDIS_URL" not in {e["name"] for e in auth["envs"]}
    versions = {
        r.name: program_support.props(r)
        for r in program_support.of_type(plan, "gcp:secretmanager/secretVersion:SecretVersion")
    }
    data = versions["staging-staging-redis-url-v"]["secretData"]
    assert SECRET_SIG in data
    assert data["value"].startswith("rediss://:") and data["value"].endswith(":6378/0")

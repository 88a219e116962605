"""Every settings rule with a good and a bad case; errors name the file, the key and the rule."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conduit.core import facts, names
from conduit.core.loader import SettingsError, load_stack_file, parse_settings
from conduit.core.settings import DatabaseLogin
from tests.support.project import ROOT, single_service_config, stack_config

FILE = "Pulumi.staging.yaml"


def _set(config: dict[str, Any], path: str, value: Any) -> None:
    key, *rest = path.split("/")
    node = config[key]
    for part in rest[:-1]:
        node = node[part]
    node[rest[-1]] = value


def _problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        parse_settings(config, FILE)
    return caught.value.problems


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_committed_stacks_are_valid(stack: str) -> None:
    settings = load_stack_file(ROOT / f"Pulumi.{stack}.yaml")
    assert settings.environment == stack


def test_staging_and_production_differ_where_they_should() -> None:
    staging = load_stack_file(ROOT / "Pulumi.staging.yaml")
    production = load_stack_file(ROOT / "Pulumi.production.yaml")
    staging_backend = staging.services["conduit:services.backend"]
    production_backend = production.services["conduit:services.backend"]
    assert staging_backend.database_init_timeout_seconds == 75
    assert production_backend.database_init_timeout_seconds == 45
    assert (staging.database.availability, production.database.availability) == (
        "ZONAL",
        "REGIONAL",
    )
    assert production.database.backups.retained_backups > staging.database.backups.retained_backups
    assert production_backend.min_instances > staging_backend.min_instances
    assert (staging_backend.deletion_protection, production_backend.deletion_protection) == (
        False,
        True,
    )


# (key path, good value, bad value, words the message must contain)
RULES = [
    ("conduit:network/connector/ipCidrRange", "10.8.0.32/28", "10.8.0.0/27", "/28"),
    ("conduit:network/connector/ipCidrRange", "10.8.0.32/28", "not-a-range", "CIDR"),
    ("conduit:network/connector/minInstances", 2, 1, "greater than or equal to 2"),
    ("conduit:network/connector/maxInstances", 10, 11, "less than or equal to 10"),
    ("conduit:network/connector/minInstances", 9, 10, "less than or equal to 9"),
    ("conduit:network/connector/machineType", "e2-micro", "n2-standard-4", "'e2-standard-4'"),
    ("conduit:network/connector/name", "prod-connector", "Prod_Connector", "pattern"),
    ("conduit:network/privateServicesRange", "10.70.0.0/20", "10.70.0.0/25", "/24 or larger"),
    ("conduit:service/startupProbe/periodSeconds", 20, 0, "greater than or equal to 1"),
    ("conduit:service/startupProbe/initialDelaySeconds", 240, 241, "less than or equal to 240"),
    ("conduit:service/requestTimeoutSeconds", 3600, 3601, "less than or equal to 3600"),
    ("conduit:service/requestTimeoutSeconds", 1, 0, "greater than or equal to 1"),
    ("conduit:service/concurrency", 1000, 1001, "less than or equal to 1000"),
    ("conduit:service/concurrency", 1, 0, "greater than or equal to 1"),
    ("conduit:database/tier", "db-g1-small", "db-n1-standard-2", "unknown tier"),
    ("conduit:database/tier", "db-custom-1-3840", "db-custom-3-7680", "even number"),
    ("conduit:database/tier", "db-custom-4-26624", "db-custom-2-7000", "multiple of 256"),
    ("conduit:database/tier", "db-custom-2-13312", "db-custom-2-14336", "per vCPU"),
    ("conduit:database/maxConnections", 14, 13, "greater than or equal to 14"),
    ("conduit:service/env/LOG_FORMAT", "json", None, None),
]


@pytest.mark.parametrize(
    ("path", "good", "bad", "words"), [r[:4] for r in RULES if r[2] is not None]
)
def test_rule_accepts_good_and_rejects_bad(path: str, good: Any, bad: Any, words: str) -> None:
    config = single_service_config()
    _set(config, path, good)
    parse_settings(config, FILE)

    _set(config, path, bad)
    problems = _problems(config)
    key = path.replace("/", ".", 1).replace("/", ".")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{FILE}: {key}: "), problems
    assert words in problems[0]


def test_connector_min_must_be_below_max() -> None:
    config = single_service_config()
    _set(config, "conduit:network/connector/minInstances", 5)
    _set(config, "conduit:network/connector/maxInstances", 5)
    assert _problems(config) == [
        f"{FILE}: conduit:network.connector.minInstances: minInstances (5) must be less than "
        "maxInstances (5)"
    ]


def test_probe_timeout_must_not_exceed_period() -> None:
    config = single_service_config()
    _set(config, "conduit:service/startupProbe/timeoutSeconds", 11)
    assert _problems(config) == [
        f"{FILE}: conduit:service.startupProbe.timeoutSeconds: timeoutSeconds (11) must not "
        "exceed periodSeconds (10)"
    ]


def _problems_if_any(config: dict[str, Any]) -> list[str]:
    try:
        parse_settings(config, FILE)
    except SettingsError as error:
        return error.problems
    return []


def test_startup_window_of_exactly_240_is_allowed_and_241_is_not() -> None:
    config = single_service_config()
    _set(config, "conduit:service/startupProbe/failureThreshold", 24)
    assert _problems_if_any(config) == []
    _set(config, "conduit:service/startupProbe/failureThreshold", 25)
    assert _problems(config) == [
        f"{FILE}: conduit:service.startupProbe.failureThreshold: failureThreshold x periodSeconds "
        "= 250 s exceeds Cloud Run's 240 s startup window"
    ]


def test_service_min_instances_must_not_exceed_max() -> None:
    config = single_service_config()
    _set(config, "conduit:service/minInstances", 11)
    assert _problems(config) == [
        f"{FILE}: conduit:service.minInstances: minInstances (11) must not exceed maxInstances (10)"
    ]


def test_secret_ids_and_env_names_are_checked() -> None:
    config = single_service_config()
    config["conduit:secrets"] = {"API_TOKEN": "api-token_1"}
    parse_settings(config, FILE)
    config["conduit:secrets"] = {"api-token": "bad id!"}
    problems = _problems(config)
    assert problems == [
        f"{FILE}: conduit:secrets.api-token: invalid name: String should match pattern "
        "'^[A-Za-z_][A-Za-z0-9_]*$' (got 'api-token')",
        f"{FILE}: conduit:secrets.api-token: String should match pattern "
        "'^[A-Za-z0-9_-]{1,255}$' (got 'bad id!')",
    ]


def test_env_var_names_must_be_c_identifiers() -> None:
    config = single_service_config()
    _set(config, "conduit:service/env/LOG_FORMAT", "json")
    parse_settings(config, FILE)
    _set(config, "conduit:service/env/1BAD", "x")
    assert _problems(config)[0].startswith(f"{FILE}: conduit:service.env.1BAD: invalid name")


def test_unknown_key_lists_the_allowed_keys() -> None:
    config = single_service_config()
    _set(config, "conduit:network/connector/machine", "e2-micro")
    (problem,) = _problems(config)
    assert problem == (
        f"{FILE}: conduit:network.connector.machine: unknown key; did you mean machineType? "
        "(allowed: name, ipCidrRange, machineType, minInstances, maxInstances)"
    )


def test_the_edition_is_enterprise_the_one_edition_of_the_tiers_a_stack_names() -> None:
    """Shared-core and db-custom tiers are Enterprise edition only (facts.Edition): one rule,
    at the field, naming the allowed value."""
    config = single_service_config()
    _set(config, "conduit:database/edition", "ENTERPRISE")
    assert parse_settings(config, FILE).database.edition == "ENTERPRISE"
    _set(config, "conduit:database/edition", "ENTERPRISE_PLUS")
    assert _problems(config) == [
        f"{FILE}: conduit:database.edition: Input should be 'ENTERPRISE' (got 'ENTERPRISE_PLUS')"
    ]


def test_regional_needs_backups_and_pitr() -> None:
    config = single_service_config()
    _set(config, "conduit:database/availability", "REGIONAL")
    parse_settings(config, FILE)
    _set(config, "conduit:database/backups/pointInTimeRecovery", False)
    (problem,) = _problems(config)
    assert "REGIONAL needs backups.enabled and pointInTimeRecovery" in problem


def test_a_file_with_several_errors_lists_every_one(tmp_path: Path) -> None:
    config = single_service_config()
    _set(config, "conduit:network/connector/ipCidrRange", "10.8.0.0/24")
    _set(config, "conduit:network/connector/machineType", "f2-micro")
    _set(config, "conduit:service/startupProbe/periodSeconds", 300)
    _set(config, "conduit:service/concurrency", 5000)
    _set(config, "conduit:database/tier", "db-huge")
    del config["conduit:environment"]
    import yaml

    path = tmp_path / FILE
    path.write_text(yaml.safe_dump({"config": config}))
    with pytest.raises(SettingsError) as caught:
        load_stack_file(path)
    keys = [line.split(": ")[1] for line in caught.value.problems]
    assert sorted(keys) == sorted(
        [
            "conduit:environment",
            "conduit:network.connector.ipCidrRange",
            "conduit:network.connector.machineType",
            "conduit:service.startupProbe.periodSeconds",
            "conduit:service.concurrency",
            "conduit:database.tier",
        ]
    )
    # Each line names the file and the key's line (a missing key: its block's), then the key.
    assert all(re.match(rf"{re.escape(FILE)}:\d+: ", line) for line in caught.value.problems)


def test_missing_and_malformed_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"Pulumi.qa.yaml: no such stack file"):
        load_stack_file(tmp_path / "Pulumi.qa.yaml")
    (tmp_path / "Pulumi.qa.yaml").write_text("config: [1, 2")
    with pytest.raises(SettingsError, match=r"Pulumi.qa.yaml: not valid YAML"):
        load_stack_file(tmp_path / "Pulumi.qa.yaml")
    (tmp_path / "Pulumi.qa.yaml").write_text("config: 3\n")
    with pytest.raises(SettingsError, match=r"Pulumi.qa.yaml: config: a mapping"):
        load_stack_file(tmp_path / "Pulumi.qa.yaml")


def test_backups_must_outlast_the_transaction_logs() -> None:
    config = single_service_config()
    _set(config, "conduit:database/backups/retainedBackups", 8)
    _set(config, "conduit:database/backups/transactionLogRetentionDays", 7)
    assert _problems_if_any(config) == []
    _set(config, "conduit:database/backups/retainedBackups", 7)
    assert _problems(config) == [
        f"{FILE}: conduit:database.backups.retainedBackups: retainedBackups (7) must be above "
        'transactionLogRetentionDays (7): the Cloud SQL Admin API refuses it ("backup '
        'retention should be > transaction log retention")'
    ]
    _set(config, "conduit:database/backups/enabled", False)
    _set(config, "conduit:database/backups/pointInTimeRecovery", False)
    assert _problems_if_any(config) == []
    _set(config, "conduit:database/backups/transactionLogRetentionDays", 8)
    assert _problems(config) == [
        f"{FILE}: conduit:database.backups.transactionLogRetentionDays: Input should be less "
        "than or equal to 7 (got 8)"
    ]


# (cpu, memory, concurrency, the problem or None): each limit at its edge and one step past.
RESOURCES = [
    ("1", "4Gi", 80, None),
    ("1", "4097Mi", 80, "1 CPU takes 128-4096 MiB of memory; got 4097 MiB"),
    ("1", "127Mi", 80, "1 CPU takes 128-4096 MiB of memory; got 127 MiB"),
    ("2", "8Gi", 80, None),
    ("2", "8193Mi", 80, "2 CPU takes 128-8192 MiB of memory; got 8193 MiB"),
    ("4", "2Gi", 80, None),
    ("4", "2047Mi", 80, "4 CPU takes 2048-16384 MiB of memory; got 2047 MiB"),
    ("6", "4Gi", 80, None),
    ("8", "32Gi", 80, None),
    ("8", "32769Mi", 80, "8 CPU takes 4096-32768 MiB of memory; got 32769 MiB"),
    ("3", "2Gi", 80, "cpu must be 1, 2, 4, 6, 8, or 0.08-1 in steps of 0.01; got 3"),
    ("1000m", "512Mi", 80, None),
    ("0.5", "1Gi", 1, None),
    ("500m", "1025Mi", 1, "0.5 CPU allows at most 1024 MiB of memory; got 1025 MiB"),
    ("0.49", "512Mi", 1, None),
    ("0.49", "513Mi", 1, "0.49 CPU allows at most 512 MiB of memory; got 513 MiB"),
    ("0.5", "512Mi", 2, "below 1 CPU, concurrency must be 1; got 2"),
    ("0.08", "128Mi", 1, None),
    ("0.07", "128Mi", 1, "cpu must be 1, 2, 4, 6, 8, or 0.08-1 in steps of 0.01; got 0.07"),
    ("0.085", "128Mi", 1, "cpu must be 1, 2, 4, 6, 8, or 0.08-1 in steps of 0.01; got 0.085"),
]


@pytest.mark.parametrize(("cpu", "memory", "concurrency", "problem"), RESOURCES)
def test_cpu_and_memory_are_what_cloud_run_accepts(cpu, memory, concurrency, problem) -> None:
    config = single_service_config()
    _set(config, "conduit:service/cpu", cpu)
    _set(config, "conduit:service/memory", memory)
    _set(config, "conduit:service/concurrency", concurrency)
    expected = (
        [f"{FILE}: conduit:service.cpu: {problem} (Cloud Run's CPU and memory limits)"]
        if problem
        else []
    )
    assert _problems_if_any(config) == expected


@pytest.mark.parametrize("length", [1, 2, 5, 26, 27, 40, 49])
def test_every_valid_service_name_gives_an_account_id_iam_accepts(length: int) -> None:
    from conduit.core import facts, names

    for name in ("a" * length, ("ab-" * 20)[: length - 1].rstrip("-") + "z"):
        account = names.service_account_id(name)
        assert facts.SERVICE_ACCOUNT_ID_PATTERN.match(account), (name, account)
    assert names.service_account_id("backend") == "backend-run"
    assert names.service_account_id("a" * 26) == "a" * 26 + "-run"
    long_a, long_b = "service-" + "a" * 30, "service-" + "a" * 29 + "b"
    assert names.service_account_id(long_a) != names.service_account_id(long_b)


def test_a_database_user_name_fits_postgres_63_bytes_at_the_limit_and_one_past() -> None:
    assert names.database_user_name("app", "my-api") == "app_my_api"
    # At 63 the name is `<base>_<client>`; one past, derived (never cut to a clash) to fit.
    at_limit = "c" * (63 - len("app_"))
    assert names.database_user_name("app", at_limit) == f"app_{at_limit}"
    past = names.database_user_name("app", at_limit + "x")
    assert len(past) == 63 and facts.DATABASE_USER_PATTERN.match(past), past
    assert past != names.database_user_name("app", at_limit + "y")
    # The longest a stack can give: a 63-character userName and a 49-character service name.
    longest = names.database_user_name("u" * 63, "s" * 49)
    assert len(longest) == 63 and facts.DATABASE_USER_PATTERN.match(longest), longest


def test_a_service_named_like_the_probe_s_user_is_refused() -> None:
    config = stack_config()
    config["conduit:services"]["probe"] = config["conduit:services"].pop("auth")
    assert _problems_if_any(config) == []  # it reads no password: no user of its own
    config["conduit:services"]["probe"]["requiredEnv"] = ["DATABASE_PASSWORD"]
    assert _problems(config) == [
        f"{FILE}: conduit:probeJob: the database user app_probe of probe is also probe's (each "
        "client logs in as its own user); rename the service"
    ]


def test_a_service_whose_password_secret_is_the_probe_job_s_is_refused() -> None:
    config = stack_config()
    # backend's probe job is backend-probe: its password is backend-probe-db-password.
    config["conduit:services"]["backend-probe"] = config["conduit:services"].pop("auth")
    config["conduit:services"]["backend-probe"]["requiredEnv"] = ["DATABASE_PASSWORD"]
    assert _problems(config) == [
        f"{FILE}: conduit:probeJob: secret id backend-probe-db-password of the generated "
        "database password of probe is also the generated database password of backend-probe; "
        "rename the service"
    ]


def test_a_service_that_reads_only_its_url_gets_a_user_and_no_password_secret() -> None:
    config = stack_config()
    reads_user = stack_config()
    reads_user["conduit:services"]["auth"]["requiredEnv"].append("DATABASE_USER")
    assert parse_settings(reads_user, FILE).database_login("conduit:services.auth") == (
        DatabaseLogin("auth", "conduit:services.auth", "app_auth", None, "auth")
    )
    config["conduit:services"]["auth"]["databaseUrlEnv"] = "DATABASE_URL"
    settings = parse_settings(config, FILE)
    auth = settings.database_login("conduit:services.auth")
    assert auth == DatabaseLogin("auth", "conduit:services.auth", "app_auth", None, "auth")
    assert settings.database_url_secret_id("conduit:services.auth") == "staging-database-url"
    # Two services ask for one env name: each URL holds its own user, so each its own secret.
    config["conduit:services"]["backend"]["databaseUrlEnv"] = "DATABASE_URL"
    settings = parse_settings(config, FILE)
    assert [settings.database_url_secret_id(k) for k in settings.services] == [
        "backend-database-url",
        "auth-database-url",
    ]


def test_a_tier_job_name_fits_cloud_run_s_pattern_at_the_limit_and_one_past() -> None:
    import re

    from conduit.core import facts, names

    # At 63 characters the name is the job's with the suffix; one past, derived to fit.
    at_limit = "j" * (63 - len("-connectivity"))
    assert names.probe_tier_job_name(at_limit, "connectivity") == f"{at_limit}-connectivity"
    past = names.probe_tier_job_name(at_limit + "x", "connectivity")
    assert len(past) == 63 and re.match(facts.RUN_JOB_NAME_PATTERN, past), past
    assert past != names.probe_tier_job_name(at_limit + "y", "connectivity")
    longest = names.probe_tier_job_name("a" * 49 + "-probe", "connectivity-redis")
    assert re.match(facts.RUN_JOB_NAME_PATTERN, longest), longest


def test_a_secret_id_is_created_or_external_never_both_nor_the_password_s() -> None:
    config = single_service_config()
    config["conduit:secrets"] = {"JWT_SECRET": "jwt", "JWT_SECRET_KEY": "jwt"}
    assert _problems_if_any(config) == []
    config["conduit:externalSecrets"] = {"LEGACY_JWT": "jwt"}
    assert _problems(config) == [
        f"{FILE}: conduit:externalSecrets: secret jwt is listed in conduit:secrets (created "
        "here) and in conduit:externalSecrets (managed elsewhere); keep one"
    ]
    config["conduit:externalSecrets"] = {}
    config["conduit:secrets"] = {"PG_PASSWORD": "backend-db-password"}
    assert _problems(config) == [
        f"{FILE}: conduit:secrets: secret id backend-db-password is the stack's generated "
        "database password of backend; pick another"
    ]
    config["conduit:secrets"] = {"DATABASE_PASSWORD": "mine"}
    assert _problems(config) == [
        f"{FILE}: conduit:secrets: DATABASE_PASSWORD: the stack sets this name itself; pick another"
    ]


@pytest.mark.parametrize(
    ("needed", "period", "delay", "fix"),
    [
        (90, 10, 0, (0, 10, 9)),
        (240, 10, 0, (0, 10, 24)),  # the probe window's cap, exactly
        (241, 10, 0, (1, 10, 24)),  # one past: the delay takes the rest
        (315, 10, 0, (75, 10, 24)),
        (315, 10, 100, (100, 10, 22)),
        (480, 10, 0, (240, 10, 24)),  # both caps together, exactly
        (481, 10, 0, None),
        (315, 7, 0, (77, 7, 34)),
    ],
)
def test_the_smallest_startup_probe_uses_the_delay_only_when_it_must(needed, period, delay, fix):
    from conduit.core import capacity

    assert capacity.smallest_startup_probe(needed, period, delay) == fix


# Several services


def test_the_committed_stacks_declare_backend_and_auth_sharing_redis() -> None:
    for stack in ("staging", "production"):
        settings = load_stack_file(ROOT / f"Pulumi.{stack}.yaml")
        assert [(k, s.name, s.port, s.redis) for k, s in settings.services.items()] == [
            ("conduit:services.backend", "backend", 8000, True),
            ("conduit:services.auth", "auth", 8081, True),
        ]
        assert settings.redis is not None and settings.redis.tier == "STANDARD_HA"
        # One user per client that logs in: auth reads no password, the probe job does.
        assert settings.database_logins == (
            DatabaseLogin(
                "backend",
                "conduit:services.backend",
                "app_backend",
                "backend-db-password",
                "backend",
            ),
            DatabaseLogin(
                "probe", "conduit:probeJob", "app_probe", "backend-probe-db-password", "probe"
            ),
        )


def test_a_one_service_stack_keeps_its_names() -> None:
    settings = parse_settings(single_service_config(), FILE)
    assert list(settings.services) == ["conduit:service"]
    # The service keeps the user and the secret it always had; the probe job has its own.
    assert [(x.user, x.password_secret_id, x.label) for x in settings.database_logins] == [
        ("app", "backend-db-password", ""),
        ("app_probe", "backend-probe-db-password", "probe"),
    ]
    assert settings.probe_service.name == "backend"


def test_service_and_services_together_or_neither_is_an_error() -> None:
    both = stack_config()
    both["conduit:service"] = single_service_config()["conduit:service"]
    assert _problems(both) == [
        f"{FILE}: conduit:services: give either conduit:service (one service) or "
        "conduit:services (name -> service), not both"
    ]
    neither = stack_config()
    del neither["conduit:services"]
    assert _problems(neither) == [
        f"{FILE}: conduit:services: give either conduit:service (one service) or "
        "conduit:services (name -> service), not neither"
    ]


def test_a_service_s_name_its_secrets_and_redis_are_checked() -> None:
    config = stack_config()
    config["conduit:services"]["Auth_1"] = config["conduit:services"].pop("auth")
    assert _problems(config)[0].startswith(f"{FILE}: conduit:services.Auth_1: invalid name")
    config = stack_config()
    config["conduit:services"]["auth"]["secrets"] = ["JWT_SECRET"]
    assert _problems(config) == [
        f"{FILE}: conduit:services.auth.secrets: JWT_SECRET not in conduit:secrets or "
        "conduit:externalSecrets (there: JWT_SECRET_KEY)"
    ]
    config = stack_config()
    del config["conduit:redis"]
    assert _problems(config) == [
        f"{FILE}: conduit:services.backend.redis: redis: true needs a conduit:redis instance "
        "in this stack"
    ]


def test_without_a_named_service_the_probe_runs_beside_the_first_database_client_by_key() -> None:
    # The Pulumi CLI gives the program `conduit:services` with its keys sorted (auth first), the
    # offline preview in the file's order (backend first): both choose backend, the first by key
    # that connects to the database; auth, first by key, does not.
    config = stack_config()
    assert list(config["conduit:services"]) == ["backend", "auth"]
    in_file_order = parse_settings(config, FILE)
    config["conduit:services"] = dict(sorted(config["conduit:services"].items()))
    sorted_keys = parse_settings(config, FILE)
    assert in_file_order.probe_service.name == sorted_keys.probe_service.name == "backend"
    assert in_file_order.database_logins == sorted_keys.database_logins
    # With no service that connects, the first by key.
    for service in config["conduit:services"].values():
        service["requiredEnv"] = ["JWT_SECRET_KEY"]
    config["conduit:services"] = dict(reversed(config["conduit:services"].items()))
    assert parse_settings(config, FILE).probe_service.name == "auth"


def test_the_probe_job_names_one_of_the_services() -> None:
    config = stack_config()
    config["conduit:probeJob"]["service"] = "auth"
    assert parse_settings(config, FILE).probe_service.name == "auth"
    config["conduit:probeJob"]["service"] = "web"
    assert _problems(config) == [
        f"{FILE}: conduit:probeJob.service: 'web' is not a service of this stack (services: "
        "backend, auth)"
    ]


def test_a_service_may_not_set_the_redis_wiring_itself() -> None:
    config = stack_config()
    config["conduit:services"]["auth"]["env"]["REDIS_HOST"] = "10.0.0.1"
    (problem,) = _problems(config)
    assert problem.startswith(f"{FILE}: conduit:services.auth.env: env must not set REDIS_HOST")


@pytest.mark.parametrize(("size", "ok"), [(1, True), (300, True), (0, False), (301, False)])
def test_redis_memory_is_1_to_300_gb(size: int, ok: bool) -> None:
    config = stack_config()
    config["conduit:redis"]["memorySizeGb"] = size
    assert _problems_if_any(config) == ([] if ok else _problems(config))
    if not ok:
        assert _problems(config)[0].startswith(f"{FILE}: conduit:redis.memorySizeGb: ")


def test_services_with_long_shared_prefixes_get_distinct_valid_names() -> None:
    """Derived names stay unique and within Google's limits for any two valid service names."""
    from conduit.core import facts, names

    prefix = "payments-gateway-eu-west-"  # 25 characters
    config = stack_config()
    auth = config["conduit:services"].pop("auth")
    config["conduit:services"] = {
        f"{prefix}primary": config["conduit:services"]["backend"],
        f"{prefix}replica": auth,
        "a": auth,
    }
    settings = parse_settings(config, FILE)
    accounts = [names.service_account_id(s.name) for s in settings.services.values()]
    assert len(set(accounts)) == 3
    assert all(facts.SERVICE_ACCOUNT_ID_PATTERN.match(a) for a in accounts), accounts
    jobs = [names.probe_job_name(s.name) for s in settings.services.values()]
    assert len(set(jobs)) == 3 and all(len(j) <= 63 for j in jobs)


def test_the_runtime_settings_are_computed_once_from_the_file() -> None:
    """The services (named, prefixed) are worked out when the settings are built, not on every
    read; the raw file model keeps the names as the file gives them."""
    from conduit.core.settings import StackFile

    config = stack_config("staging")
    config["conduit:namePrefix"] = "acme"
    settings = parse_settings(config, "Pulumi.staging.yaml")
    assert settings.services is settings.services
    assert [s.name for s in settings.services.values()] == ["acme-backend", "acme-auth"]
    assert settings.declared_service_names == {
        "conduit:services.backend": "backend",
        "conduit:services.auth": "auth",
    }
    assert settings.service_resource_name("conduit:services.auth") == "acme-auth"
    raw = StackFile.model_validate(
        {k: v for k, v in config.items() if k.startswith(("conduit:", "gcp:"))}
    )
    assert list(raw.services_by_name or {}) == ["backend", "auth"]

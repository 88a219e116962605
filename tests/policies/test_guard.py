"""policies/guard: the helpers every rule reads properties, links and IAM through, each decision
pinned by an example where only it decides (an unknown value, a second item before the judged
one, the value at a boundary)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from conduit.core import suppression
from conduit.core.violation import INSPECTS, SECURITY, STRUCTURED_ENV, Violation, decode
from policies.guard import cloudrun, cloudrun_v1, iam, links
from policies.guard.built import built_by_conduit
from policies.guard.define import resource_policy, stack_policy
from policies.guard.examples import Res, urn
from policies.guard.props import (
    UNKNOWN,
    MalformedError,
    NotApplicableError,
    Unknown,
    at,
    env_int,
    env_vars,
    items,
    known,
)

SENTINEL = UNKNOWN_STRING_VALUE
"""What the engine sends for a value unknown at preview; the proxy raises on reading it."""


def proxied(value: dict[str, Any]) -> Any:
    return unknown_checking_proxy(value)


# --- props: reading values ---------------------------------------------------------------------


def test_at_walks_mappings_and_list_indices_up_to_the_last_element() -> None:
    subject = {"a": [{"b": 1}, {"b": 2}]}
    assert at(subject, "a.1.b", int) == 2
    assert at(subject, "a.0.b", int) == 1
    # One past the end is absent, never an IndexError.
    assert at(subject, "a.2.b", int, default="absent") == "absent"


def test_at_names_the_step_that_is_not_an_object() -> None:
    with pytest.raises(MalformedError, match=r"^properties should be an object$"):
        at("text", "a", str)
    with pytest.raises(MalformedError, match=r"^a\.b should be an object$"):
        at({"a": {"b": 3}}, "a.b.c", str)
    # A string is not a list, even with a numeric step.
    with pytest.raises(MalformedError, match=r"^a should be an object$"):
        at({"a": "abc"}, "a.0", str)
    # Nor is a number.
    with pytest.raises(MalformedError, match=r"^a should be an object$"):
        at({"a": 5}, "a.0", int)
    # A list takes only numeric steps.
    with pytest.raises(MalformedError, match=r"^a should be an object$"):
        at({"a": [1]}, "a.x", int)


def test_at_returns_the_default_for_an_absent_step_and_unknown_for_an_unknown_one() -> None:
    assert at({}, "a.b", str) is None
    assert at({"a": None}, "a.b", str, default="d") == "d"
    assert at(proxied({"a": SENTINEL}), "a.b", str) is UNKNOWN
    assert at(proxied({"a": {"b": SENTINEL}}), "a.b", str) is UNKNOWN


def test_at_checks_the_kind_of_the_value() -> None:
    two = at({"n": 2.0}, "n", int)
    assert (two, type(two)) == (2, int)
    three = at({"n": 3}, "n", float)
    assert (three, type(three)) == (3.0, float)
    whole = at({"n": 2.0}, "n", float)
    assert (whole, type(whole)) == (2.0, float)
    cases = [
        ({"n": 2.5}, int, "n should be a whole number, got 2.5"),
        ({"n": True}, int, "n should be a whole number, got True"),
        ({"n": False}, float, "n should be a number, got False"),
        ({"n": "x"}, float, "n should be a number, got 'x'"),
        ({"n": "abc"}, Sequence, "n should be a list, got a string"),
        ({"n": 1}, str, "n should be a string, got 1"),
        ({"n": 1}, Mapping, "n should be an object, got 1"),
        ({"n": 1}, bool, "n should be a boolean, got 1"),
        ({"n": 1}, bytes, "n should be bytes, got 1"),
    ]
    for subject, kind, message in cases:
        with pytest.raises(MalformedError) as raised:
            at(subject, "n", kind)
        assert str(raised.value) == message
    assert at({"n": True}, "n", bool) is True
    assert at({"n": [1]}, "n", Sequence) == [1]


def test_items_keeps_unknown_elements_and_refuses_an_unknown_list() -> None:
    assert items({}, "a") == []
    assert items(proxied({"a": ["x", SENTINEL, "y"]}), "a") == ["x", UNKNOWN, "y"]
    with pytest.raises(NotApplicableError) as raised:
        items(proxied({"a": SENTINEL}), "a")
    assert str(raised.value) == "a is unknown until the update runs"


def test_known_is_neither_absent_nor_unknown() -> None:
    assert [known(v) for v in (None, UNKNOWN, 0, "", False)] == [False, False, True, True, True]
    assert Unknown() is UNKNOWN
    assert repr(UNKNOWN) == "<unknown>"


def test_env_vars_are_the_plain_values_by_name() -> None:
    container = proxied(
        {
            "envs": [
                SENTINEL,
                {"name": "A", "value": "1"},
                {"name": "SECRET", "valueSource": {"secretKeyRef": {"secret": "s"}}},
                {"name": SENTINEL, "value": "2"},
                {"name": "EMPTY"},
                {"name": "LATER", "value": SENTINEL},
            ]
        }
    )
    assert env_vars(container) == {"A": "1", "EMPTY": "", "LATER": UNKNOWN}


def test_env_int_reads_a_whole_number_or_says_what_is_wrong() -> None:
    container = proxied({"envs": [{"name": "N", "value": "12"}, {"name": "U", "value": SENTINEL}]})
    assert env_int(container, "N") == 12
    assert env_int(container, "U") is UNKNOWN
    assert env_int(container, "ABSENT") is None
    with pytest.raises(MalformedError) as raised:
        env_int({"envs": [{"name": "N", "value": "x"}]}, "N")
    assert str(raised.value) == "env N should be a whole number, got 'x'"


# --- cloudrun: a v2 service's fields -----------------------------------------------------------


def _service(*containers: Any, **template: Any) -> Any:
    return proxied({"name": "s", "template": {"containers": list(containers), **template}})


def _env(**values: str) -> dict[str, Any]:
    return {"envs": [{"name": k, "value": v} for k, v in values.items()]}


def test_containers_skip_unknown_ones() -> None:
    assert cloudrun.containers(_service(SENTINEL, {"image": "i"})) == [{"image": "i"}]


def test_max_instances_prefers_the_template_then_the_service_scaling_then_the_default() -> None:
    both = {"template": {"scaling": {"maxInstanceCount": 3}}, "scaling": {"maxInstanceCount": 9}}
    assert cloudrun.max_instances_at(both) == (3, "template.scaling.maxInstanceCount")
    service_level = {"scaling": {"maxInstanceCount": 9}}
    assert cloudrun.max_instances_at(service_level) == (9, "scaling.maxInstanceCount")
    assert cloudrun.max_instances_at({}) == (None, "template.scaling.maxInstanceCount")
    assert cloudrun.max_instances_or_default({}) == 100
    assert cloudrun.max_instances_or_default(service_level) == 9
    unknown = proxied({"template": {"scaling": {"maxInstanceCount": SENTINEL}}})
    assert cloudrun.max_instances_or_default(unknown) is None


def test_pool_sums_the_containers_that_declare_one() -> None:
    service = _service(
        _env(DATABASE_POOL_SIZE="20", DATABASE_MAX_OVERFLOW="10"),
        _env(DATABASE_POOL_SIZE="5"),
        _env(DATABASE_POOL_SIZE=SENTINEL, DATABASE_MAX_OVERFLOW="7"),
        _env(DATABASE_POOL_SIZE="2", DATABASE_MAX_OVERFLOW=SENTINEL),
    )
    assert cloudrun.pool(service) == (27, 10)
    assert cloudrun.pool(_service(_env(LOG_LEVEL="info"))) is None
    assert cloudrun.pool(_service(_env(DATABASE_POOL_SIZE="0"))) == (0, 0)


def test_pool_absent_only_when_no_container_sets_it() -> None:
    assert cloudrun.pool_absent(_service(_env(LOG_LEVEL="info")))
    assert not cloudrun.pool_absent(_service(_env(DATABASE_POOL_SIZE=SENTINEL)))
    assert not cloudrun.pool_absent(_service(_env(), _env(DATABASE_POOL_SIZE="1")))


def test_secret_refs_of_every_container_after_an_unknown_env() -> None:
    def ref(secret: str, **name: str) -> dict[str, Any]:
        return {**name, "valueSource": {"secretKeyRef": {"secret": secret}}}

    service = _service(
        {"envs": [SENTINEL, ref("a", name="A"), {"name": "P", "value": "v"}, ref(SENTINEL)]},
        {"envs": [ref("b")]},
    )
    assert cloudrun.secret_refs(service) == [("A", "a"), ("?", "b")]


def test_secret_id_of_a_reference() -> None:
    assert cloudrun.secret_id_of("projects/p/secrets/jwt/versions/3") == "jwt"
    assert cloudrun.secret_id_of("jwt") == "jwt"
    assert cloudrun.secret_id_of("jwt/versions/latest") == "jwt"
    assert cloudrun.secret_id_of("a/secrets/b/secrets/c") == "c"


def test_cloud_sql_volumes_and_their_instances() -> None:
    volume = {"cloudSqlInstance": {"instances": ["p:r:a", SENTINEL]}}
    service = _service(volumes=[SENTINEL, volume, {"cloudSqlInstance": {"instances": ["p:r:b"]}}])
    assert cloudrun.cloud_sql_instances(service) == ["p:r:a", "p:r:b"]
    assert cloudrun.uses_cloud_sql_volume(service)
    assert not cloudrun.uses_cloud_sql_volume(_service(volumes=[{"name": "t", "emptyDir": {}}]))
    assert not cloudrun.uses_cloud_sql_volume(_service(volumes=["odd"]))


def test_direct_vpc_subnet_is_the_first_interface_subnetwork_else_its_network() -> None:
    def vpc(*interfaces: Any, path: str = "template") -> Any:
        access = {"vpcAccess": {"networkInterfaces": list(interfaces)}}
        return proxied({"template": access if path == "template" else {"template": access}})

    assert cloudrun.direct_vpc_subnet(vpc({"subnetwork": "s", "network": "n"})) == "s"
    assert cloudrun.direct_vpc_subnet(vpc({"network": "n"}, {"subnetwork": "t"})) == "n"
    assert cloudrun.direct_vpc_subnet(vpc(SENTINEL, {"subnetwork": "t"})) is UNKNOWN
    assert cloudrun.direct_vpc_subnet(vpc()) is None
    job = vpc({"subnetwork": "j"}, path="job")
    assert cloudrun.direct_vpc_subnet(job, cloudrun.JOB_VPC) == "j"
    assert cloudrun.on_direct_vpc(job, cloudrun.JOB_VPC)
    assert not cloudrun.on_direct_vpc(job)


def test_job_parallelism_is_all_tasks_when_zero_or_absent() -> None:
    def job(**template: Any) -> Any:
        return proxied({"template": template})

    assert cloudrun.job_parallelism(job()) == 1
    assert cloudrun.job_parallelism(job(taskCount=5)) == 5
    assert cloudrun.job_parallelism(job(parallelism=0, taskCount=5)) == 5
    assert cloudrun.job_parallelism(job(parallelism=1, taskCount=5)) == 1
    assert cloudrun.job_parallelism(job(parallelism=2)) == 2
    assert cloudrun.job_parallelism(job(parallelism=SENTINEL, taskCount=5)) is None
    assert cloudrun.job_parallelism(job(parallelism=2, taskCount=SENTINEL)) is None


def test_ingress_container_is_the_one_with_ports_else_the_first() -> None:
    first, served = {"image": "side"}, {"image": "app", "ports": {"containerPort": 8080}}
    assert cloudrun.ingress_container(_service(first, served)) == served
    assert cloudrun.ingress_container(_service(first, {"image": "other"})) == first
    assert cloudrun.ingress_container(_service()) is None


def test_startup_probe_fills_in_cloud_runs_defaults_and_is_none_when_unknown() -> None:
    container = {"startupProbe": {"failureThreshold": 12}}
    assert cloudrun.startup_probe(container) == {
        "initialDelaySeconds": 0,
        "periodSeconds": 240,
        "timeoutSeconds": 240,
        "failureThreshold": 12,
    }
    assert cloudrun.startup_probe(proxied({"startupProbe": {"periodSeconds": SENTINEL}})) is None


def test_startup_hint_names_the_smallest_change() -> None:
    probe = {"initialDelaySeconds": 0, "periodSeconds": 10, "timeoutSeconds": 5}
    assert cloudrun.startup_hint(100, 0, probe) == "e.g. failureThreshold 10 at periodSeconds 10"
    delayed = {**probe, "initialDelaySeconds": 30}
    assert cloudrun.startup_hint(100, 0, delayed) == "e.g. failureThreshold 7 at periodSeconds 10"
    assert cloudrun.startup_hint(300, 0, probe) == (
        "e.g. initialDelaySeconds 60 and failureThreshold 24 at periodSeconds 10"
    )
    assert cloudrun.startup_hint(9999, 75, probe) == (
        "9999 s cannot fit in Cloud Run's longest start-up window (480 s: initialDelaySeconds "
        "240 + 240 s): lower DATABASE_INIT_TIMEOUT_SECONDS to at most 405 s"
    )


# --- cloudrun_v1: a v1 service in v2's shape --------------------------------------------------


def _v1(revision: dict[str, Any] | None = None, **rest: Any) -> dict[str, Any]:
    template: dict[str, Any] = {"spec": rest.pop("spec", {})}
    if revision is not None:
        template["metadata"] = {"annotations": revision}
    return {"template": template, **rest}


def test_convert_carries_name_project_location_labels_and_annotations() -> None:
    v1 = {
        "name": "s",
        "project": "p",
        "location": "l",
        "metadata": {"labels": {"team": "a"}, "annotations": {"x": "y"}},
    }
    assert cloudrun_v1.convert(v1) == {
        "name": "s",
        "project": "p",
        "location": "l",
        "labels": {"team": "a"},
        "annotations": {"x": "y"},
    }


def test_convert_keeps_what_it_cannot_map_as_written() -> None:
    v2 = cloudrun_v1.convert(
        _v1(
            {
                cloudrun_v1.MAX_SCALE: 7,
                cloudrun_v1.MIN_SCALE: " 2 ",
                cloudrun_v1.CLOUDSQL_INSTANCES: "p:r:a, ,p:r:b",
                cloudrun_v1.NETWORK_INTERFACES: '[{"network": "n"}]',
            },
            metadata={"annotations": {cloudrun_v1.INGRESS: "bogus"}},
            spec={"timeoutSeconds": SENTINEL, "containers": "odd"},
        )
    )
    assert v2 == {
        "annotations": {cloudrun_v1.INGRESS: "bogus"},
        "ingress": "bogus",
        "template": {
            "containers": "odd",
            "timeout": SENTINEL,
            "scaling": {"maxInstanceCount": 7, "minInstanceCount": 2},
            "vpcAccess": {"networkInterfaces": [{"network": "n"}]},
            "volumes": [
                {"name": "cloudsql", "cloudSqlInstance": {"instances": ["p:r:a", "p:r:b"]}}
            ],
        },
    }


def test_convert_leaves_unknown_and_odd_annotations_alone() -> None:
    v2 = cloudrun_v1.convert(
        _v1(
            {
                cloudrun_v1.CLOUDSQL_INSTANCES: SENTINEL,
                cloudrun_v1.VPC_EGRESS: ["odd"],
                cloudrun_v1.NETWORK_INTERFACES: [{"network": "n"}],
                cloudrun_v1.MAX_SCALE: SENTINEL,
            },
            metadata={"annotations": {cloudrun_v1.INGRESS: SENTINEL}},
        )
    )
    assert v2["ingress"] == SENTINEL
    assert v2["template"] == {
        "scaling": {"maxInstanceCount": SENTINEL},
        "vpcAccess": {"egress": ["odd"], "networkInterfaces": [{"network": "n"}]},
        "volumes": [{"name": "cloudsql", "cloudSqlInstance": {"instances": SENTINEL}}],
    }


def test_convert_moves_env_secret_refs_and_commands_of_each_container() -> None:
    spec = {
        "containers": [
            "odd",
            {
                "image": "i",
                "commands": ["serve"],
                "envs": [
                    {"name": "A", "value": "1"},
                    {"name": "S", "valueFrom": {"secretKeyRef": {"name": "s", "key": "3"}}},
                    {"name": "K", "valueFrom": {"secretKeyRef": {"key": "latest"}}},
                    {"name": "N", "valueFrom": "odd"},
                    "odd",
                    7,
                ],
            },
            {"image": "j", "envs": SENTINEL},
        ]
    }
    v2 = cloudrun_v1.convert(_v1(spec=spec))
    assert v2["template"]["containers"] == [
        "odd",
        {
            "image": "i",
            "command": ["serve"],
            "envs": [
                {"name": "A", "value": "1"},
                {"name": "S", "valueSource": {"secretKeyRef": {"secret": "s", "version": "3"}}},
                {"name": "K", "valueSource": {"secretKeyRef": {"version": "latest"}}},
                {"name": "N", "valueSource": {"secretKeyRef": {}}},
                "odd",
                7,
            ],
        },
        {"image": "j", "envs": SENTINEL},
    ]


def test_v1_path_of_a_path_inside_an_annotation_is_the_annotation() -> None:
    ingress = "metadata.annotations.run.googleapis.com/ingress"
    assert cloudrun_v1.v1_path("ingress.value") == ingress
    assert cloudrun_v1.v1_path("labels.team") == "metadata.labels.team"
    assert cloudrun_v1.v1_path("ingressx") == "ingressx"


def test_v2_views_of_a_v1_service_without_dependencies_parent_or_name() -> None:
    bare = SimpleNamespace(resource_type=cloudrun_v1.SERVICE_V1, props=proxied({}), urn="u")
    named = SimpleNamespace(
        resource_type=cloudrun_v1.SERVICE_V1,
        props=proxied({}),
        urn="v",
        dependencies=None,
        parent="p",
        name="backend",
    )
    (view, named_view), urns = cloudrun_v1.v2_views([bare, named])
    assert urns == {"u", "v"}
    assert (view.dependencies, view.parent, view.name) == ([], None, "")
    assert (named_view.dependencies, named_view.parent, named_view.name) == ([], "p", "backend")


# --- define: the policy builders and their safety net ------------------------------------------

V1, V2 = cloudrun_v1.SERVICE_V1, cloudrun_v1.SERVICE_V2
ENVS = "template.containers.envs"


class Reports:
    """What a policy reports and declares not applicable, as the analyzer would receive it."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.not_applicable: list[Any] = []

    def report(self, *args: Any) -> None:
        self.calls.append(args)

    def violations(self) -> list[Violation | None]:
        return [decode(message, *rest) for message, *rest in self.calls]


def _resource_args(resource_type: str, subject: Any, config: Any, reports: Reports) -> Any:
    return mock.Mock(
        resource_type=resource_type,
        props=proxied(subject),
        get_config=lambda: config,
        not_applicable=reports.not_applicable.append,
    )


def _resource_policy(check: Any, **extra: Any) -> Any:
    return resource_policy(
        name="p",
        description="d",
        resource_types=(V2, V1),
        check=check,
        severity=Severity.HIGH,
        remediation="fix it",
        **extra,
    )


def test_resource_policy_declares_what_it_was_given() -> None:
    policy = _resource_policy(
        lambda p, c: [],
        defaults={"limit": 5},
        schema={"limit": {"type": "integer"}, "other": {"type": "string"}},
    )
    assert (policy.name, policy.description, policy.severity) == ("p", "d", Severity.HIGH)
    assert (policy.enforcement_level, policy.remediation_steps) == (
        EnforcementLevel.MANDATORY,
        "fix it",
    )
    assert policy.config_schema.properties == {
        "limit": {"type": "integer", "default": 5},
        "other": {"type": "string"},
        suppression.KEY: suppression.SCHEMA,
    }
    assert policy.tags == [f"{INSPECTS}{V2}", f"{INSPECTS}{V1}"]
    secure = _resource_policy(lambda p, c: [], security=True, enforcement=EnforcementLevel.ADVISORY)
    assert secure.tags == [f"{INSPECTS}{V2}", f"{INSPECTS}{V1}", SECURITY]
    assert secure.enforcement_level == EnforcementLevel.ADVISORY
    assert secure.config_schema.properties == {suppression.KEY: suppression.SCHEMA}


def test_resource_policy_judges_a_v1_service_as_v2_at_its_v1_paths(monkeypatch) -> None:
    monkeypatch.setenv(STRUCTURED_ENV, "1")
    seen: list[tuple[Any, Any]] = []

    def check(subject: Any, config: Any) -> Any:
        seen.append((at(subject, "template.serviceAccount", str), dict(config)))
        yield Violation("own fix", (f"{ENVS}.X",), remediation="mine")
        yield Violation("rule's fix", ("template.serviceAccount",))

    policy = _resource_policy(check, defaults={"limit": 5, "ratio": 0.5})
    reports = Reports()
    v1 = {"template": {"spec": {"serviceAccountName": "sa"}}}
    policy.validate(_resource_args(V1, v1, {"limit": 7.0}, reports), reports.report)
    assert seen == [("sa", {"limit": 7, "ratio": 0.5})]
    # A whole number crosses the protocol as a double: the check gets it back as an int.
    assert [type(value) for value in seen[0][1].values()] == [int, float]
    assert reports.violations() == [
        Violation("own fix", ("template.spec.containers.envs.X",), remediation="mine"),
        Violation("rule's fix", ("template.spec.serviceAccountName",), remediation="fix it"),
    ]
    assert [len(call) for call in reports.calls] == [2, 2]
    v2 = Reports()
    policy.validate(_resource_args(V2, {"template": {"serviceAccount": "v2"}}, None, v2), v2.report)
    assert seen[1] == ("v2", {"limit": 5, "ratio": 0.5})
    assert [v.paths for v in v2.violations() if v] == [(f"{ENVS}.X",), ("template.serviceAccount",)]
    other = Reports()
    policy.validate(_resource_args("gcp:storage/bucket:Bucket", {}, None, other), other.report)
    assert (len(seen), other.calls) == (2, [])


@pytest.mark.parametrize("resource_type", [V1, V2])
def test_resource_policy_reports_unknown_malformed_and_crashing_checks(
    resource_type: str, monkeypatch
) -> None:
    monkeypatch.setenv(STRUCTURED_ENV, "1")

    def raising(error: Exception) -> Any:
        def check(_subject: Any, _config: Any) -> Any:
            raise error

        return _resource_policy(check)

    reports = Reports()
    for error in (
        NotApplicableError("no such block"),
        NotApplicableError(),
        UnknownValueError(SENTINEL, ["template", "x"]),
        MalformedError("x should be a string"),
        KeyError("boom"),
    ):
        raising(error).validate(_resource_args(resource_type, {}, None, reports), reports.report)
    assert reports.not_applicable == [
        "no such block",
        "a value is unknown until the update runs",
        "string value at .template.x can't be known during preview",
    ]
    assert reports.calls[0][1] is None and reports.calls[1][1] is None
    assert reports.violations() == [
        Violation("malformed properties: x should be a string.", remediation="fix it"),
        Violation(
            "rule p raised KeyError: 'boom'",
            remediation="Report it: a rule is broken.",
            error=True,
        ),
    ]


def test_under_the_pulumi_cli_the_message_is_readable(monkeypatch) -> None:
    monkeypatch.delenv(STRUCTURED_ENV, raising=False)
    policy = _resource_policy(lambda p, c: [Violation("too big.", ("a",))])
    reports = Reports()
    policy.validate(_resource_args(V2, {}, None, reports), reports.report)
    assert reports.calls == [("too big. Fix: fix it", None)]


def _stack_policy(check: Any, **extra: Any) -> Any:
    return stack_policy(
        name="s",
        description="d",
        check=check,
        severity=Severity.MEDIUM,
        remediation="fix the stack",
        **extra,
    )


def _stack_args(resources: list[Any], config: Any, reports: Reports) -> Any:
    for resource in resources:
        resource.props = proxied(resource.props)
    return mock.Mock(
        resources=resources,
        get_config=lambda: config,
        not_applicable=reports.not_applicable.append,
    )


def test_stack_policy_declares_what_it_was_given() -> None:
    policy = _stack_policy(
        lambda r, c: [], defaults={"n": 1}, schema={"n": {"type": "integer"}}, inspects=("t",)
    )
    assert (policy.name, policy.description, policy.severity) == ("s", "d", Severity.MEDIUM)
    assert (policy.enforcement_level, policy.remediation_steps) == (
        EnforcementLevel.MANDATORY,
        "fix the stack",
    )
    assert policy.config_schema.properties == {
        "n": {"type": "integer", "default": 1},
        suppression.KEY: suppression.SCHEMA,
    }
    assert policy.tags == [f"{INSPECTS}t"]
    secure = _stack_policy(lambda r, c: [], security=True, enforcement=EnforcementLevel.ADVISORY)
    assert (secure.tags, secure.enforcement_level) == ([SECURITY], EnforcementLevel.ADVISORY)
    assert secure.config_schema.properties == {suppression.KEY: suppression.SCHEMA}


def test_stack_policy_sees_v1_services_as_v2_and_locates_findings_at_v1_paths(
    monkeypatch,
) -> None:
    monkeypatch.setenv(STRUCTURED_ENV, "1")
    v1 = Res(V1, {"name": "old", "template": {"spec": {"serviceAccountName": "sa"}}})
    v2 = Res(V2, {"name": "new", "template": {"serviceAccount": "sb"}})
    seen: list[Any] = []

    def check(resources: Any, config: Any) -> Any:
        seen.append(([(r.resource_type, r.urn) for r in resources], dict(config)))
        for resource in resources:
            account = at(resource.props, "template.serviceAccount", str)
            yield Violation(
                f"{account}.",
                (f"{ENVS}.X",),
                urn=resource.urn,
                related=((v1.urn, "template.containers"), (v2.urn, "template.containers", "n")),
            )

    policy = _stack_policy(check, defaults={"n": 1})
    reports = Reports()
    policy.validate(_stack_args([v1, v2], {"n": 2.0}, reports), reports.report)
    assert seen == [([(V2, v1.urn), (V2, v2.urn)], {"n": 2})]
    related = ((v1.urn, "template.spec.containers"), (v2.urn, "template.containers", "n"))
    assert [decode(message, at_urn) for message, at_urn in reports.calls] == [
        Violation(
            "sa.",
            ("template.spec.containers.envs.X",),
            remediation="fix the stack",
            urn=v1.urn,
            related=related,
        ),
        Violation("sb.", (f"{ENVS}.X",), remediation="fix the stack", urn=v2.urn, related=related),
    ]
    assert [call[1] for call in reports.calls] == [v1.urn, v2.urn]


def test_stack_policy_without_v1_services_reports_as_the_check_says(monkeypatch) -> None:
    monkeypatch.setenv(STRUCTURED_ENV, "1")

    def check(_resources: Any, config: Any) -> Any:
        yield Violation("x.", ("template.containers",), urn="u", related=(("u", "ingress"),))
        raise NotApplicableError(f"n is {config['n']}")

    reports = Reports()
    _stack_policy(check, defaults={"n": 1}).validate(_stack_args([], None, reports), reports.report)
    assert reports.violations() == [
        Violation(
            "x.",
            ("template.containers",),
            remediation="fix the stack",
            urn="u",
            related=(("u", "ingress"),),
        )
    ]
    assert reports.not_applicable == ["n is 1"]


# --- iam, links, built -------------------------------------------------------------------------


def test_iam_members_of_a_member_a_binding_or_a_policy_document() -> None:
    assert iam.members({"role": "r", "member": "m", "members": ["n"]}) == [("r", "m")]
    assert iam.members(proxied({"role": "r", "member": SENTINEL, "members": ["a", SENTINEL]})) == [
        ("r", "a")
    ]
    document = '{"bindings": [{"role": "x", "members": ["a", "b"]}, {"role": "y"}]}'
    assert iam.members({"members": ["c"], "policyData": document}) == [
        (None, "c"),
        ("x", "a"),
        ("x", "b"),
    ]
    assert iam.members({"policyData": "{}"}) == []
    for malformed in ("not json", "[1]"):
        with pytest.raises(MalformedError) as raised:
            iam.members({"policyData": malformed})
        assert str(raised.value) == "policyData should be an IAM policy document"


def test_iam_target_is_v2_name_else_v1_service() -> None:
    assert iam.target({"name": "a", "service": "b"}) == "a"
    assert iam.target({"service": "b"}) == "b"
    assert iam.target({}) is None


def _linked(resource_type: str, name: str, dependencies: list[Any] | None = None, **p: Any) -> Res:
    return Res(resource_type, {"name": name, **p}, dependencies=dependencies or [])


def test_linker_finds_by_key_first_one_wins_and_unknown_keys_are_skipped() -> None:
    first, second = _linked("c", "conn"), _linked("c", "conn")
    unknown = Res("c", proxied({"name": SENTINEL}), urn="unknown-urn")
    linker = links.connector_linker([unknown, first, second])
    assert linker.by_key == {"conn": first}
    assert set(linker.by_urn) == {first.urn, "unknown-urn"}
    service = _linked("s", "svc", [SimpleNamespace(urn="unknown-urn"), "missing", first.urn])
    assert linker.dependencies_of(service) == [unknown, first]
    assert links.urn_of(SimpleNamespace(urn="x")) == "x"
    assert links.urn_of("y") == "y"


def test_named_by_takes_the_named_resource_else_the_first_dependency() -> None:
    a, b = _linked("c", "a"), _linked("c", "b")
    linker = links.connector_linker([a, b])
    depends_on_b = _linked("s", "svc", [b.urn])
    assert linker.named_by(depends_on_b, "projects/p/locations/l/connectors/a") is a
    assert linker.named_by(depends_on_b, "a") is a
    assert linker.named_by(depends_on_b, UNKNOWN) is b
    assert linker.named_by(depends_on_b, "projects/p/connectors/none") is b
    assert linker.named_by(depends_on_b, None) is None
    assert linker.named_by(_linked("s", "alone"), UNKNOWN) is None


def test_connector_and_subnet_of_a_service_or_job() -> None:
    connector, subnet = _linked("c", "conn"), _linked("n", "sub")
    service = Res("s", {"template": {"vpcAccess": {"connector": "projects/p/connectors/conn"}}})
    assert links.connector_of(service, links.connector_linker([connector])) is connector
    job = Res(
        "j", {"template": {"template": {"vpcAccess": {"networkInterfaces": [{"network": "sub"}]}}}}
    )
    subnets = links.subnet_linker([subnet])
    assert links.subnet_of(job, subnets, cloudrun.JOB_VPC) is subnet
    assert links.subnet_of(job, subnets) is None
    # References unknown at preview: the dependency is the link.
    pending = Res(
        "s",
        proxied(
            {"template": {"vpcAccess": {"connector": SENTINEL, "networkInterfaces": [SENTINEL]}}}
        ),
        dependencies=[connector.urn, subnet.urn],
    )
    assert links.connector_of(pending, links.connector_linker([connector])) is connector
    assert links.subnet_of(pending, subnets) is subnet


def test_redis_of_a_service_by_its_host_else_its_dependency() -> None:
    one = Res("r", {"host": "10.0.0.1"}, urn="one")
    two = Res("r", {"host": "10.0.0.2"}, urn="two")
    instances = links.redis_linker([one, two])

    def service(host: str | None, dependencies: list[Any]) -> Res:
        envs = [{"name": "REDIS_HOST", "value": host}] if host else []
        return Res("s", {"template": {"containers": [{"envs": envs}]}}, dependencies=dependencies)

    assert links.redis_of(service("10.0.0.2", ["one"]), instances) is two
    assert links.redis_of(service(SENTINEL, ["one"]), instances) is one
    assert links.redis_of(service("10.9.9.9", ["two"]), instances) is two
    assert links.redis_of(service("10.9.9.9", []), instances) is None
    assert links.redis_of(service(None, ["one"]), instances) is None


def test_instances_of_a_service_by_name_else_by_dependency() -> None:
    a = Res("i", {"connectionName": "p:r:a"}, urn="a")
    b = Res("i", {"connectionName": "p:r:b"}, urn="b")
    pending = Res("i", proxied({"connectionName": SENTINEL}), urn="pending")
    instances = links.instance_linker([a, b, pending])

    def service(names: list[str], env: str | None, dependencies: list[str]) -> Res:
        volumes = [{"cloudSqlInstance": {"instances": names}}] if names else []
        envs = [{"name": "CLOUD_SQL_CONNECTION_NAME", "value": env}] if env else []
        template = {"volumes": volumes, "containers": [{"envs": envs}]}
        return Res("s", {"template": template}, dependencies=dependencies)

    assert links.instances_of(service(["p:r:b"], "p:r:a", ["pending"]), instances) == [a, b]
    # Named but not in the stack yet: only a dependency whose name is unknown can be it.
    assert links.instances_of(service(["p:r:z"], None, ["a", "pending"]), instances) == [pending]
    # Named nothing: every instance it depends on.
    assert links.instances_of(service([], None, ["b", "pending"]), instances) == [b, pending]


def test_built_by_conduit_reads_the_parents_in_the_urn() -> None:
    assert built_by_conduit(SimpleNamespace(urn=urn("t", "x", "conduit:service:Service")))
    assert not built_by_conduit(SimpleNamespace(urn=urn("t", "x", "acme:app:App")))
    assert not built_by_conduit(SimpleNamespace(urn=urn("conduit:service:Service", "x")))
    assert not built_by_conduit(SimpleNamespace(urn="conduit:a::conduit:b$t"))

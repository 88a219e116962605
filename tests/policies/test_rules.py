"""Every rule's good and bad examples, its exact findings, wrong types, unknowns and bad shapes."""

from __future__ import annotations

import copy
from unittest import mock

import pytest
from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from conduit.core.violation import INSPECTS, SECURITY, STRUCTURED_ENV, Violation
from policies import rules
from policies.guard.define import resource_policy, stack_policy
from policies.guard.examples import Of, Res
from policies.guard.props import UNKNOWN
from tests.support.project import ROOT
from tests.support.rules import NOT_APPLICABLE, run

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
MODULES = {module.POLICY.name: module for module in rules.MODULES}


def _resource_type(module) -> str:
    # Stack policies see every resource: the type only matters to resource policies.
    return getattr(module, "RESOURCE_TYPE", "")


def _findings(module, subject, config):
    if isinstance(subject, Of):
        return run(module.POLICY, copy.deepcopy(subject.props), config, subject.resource_type)
    subject = copy.deepcopy(subject)
    return run(module.POLICY, subject, config, _resource_type(module))


def _props(subject):
    return subject.props if isinstance(subject, Of) else subject


def test_catalogue_names_are_unique_kebab_case_and_match_modules() -> None:
    names = [m.POLICY.name for m in rules.MODULES]
    assert len(names) == len(set(names)) == len(rules.ORDER)
    # Declared once, in report order: every module on disk is in it, and nothing else.
    on_disk = {p.stem for p in (ROOT / "policies" / "rules").glob("*.py")} - {"__init__"}
    assert sorted(rules.ORDER) == sorted(on_disk)
    for module in rules.MODULES:
        assert module.__name__.split(".")[-1] == module.POLICY.name.replace("-", "_")
        assert module.POLICY.remediation_steps and module.POLICY.severity is not None


@pytest.mark.parametrize("name", sorted(MODULES))
def test_good_examples_yield_nothing(name: str) -> None:
    module = MODULES[name]
    assert module.EXAMPLES.good, f"{name} has no good example"
    for index, subject in enumerate(module.EXAMPLES.good):
        assert _findings(module, subject, module.EXAMPLES.good_config) == [], (
            f"{name} good[{index}]"
        )


@pytest.mark.parametrize("name", sorted(MODULES))
def test_bad_examples_yield_exactly_the_expected_findings(name: str) -> None:
    module = MODULES[name]
    assert module.EXAMPLES.bad, f"{name} has no bad example"
    for index, bad in enumerate(module.EXAMPLES.bad):
        found = _findings(module, bad.subject, bad.config)
        assert found != NOT_APPLICABLE, f"{name} bad[{index}] not applicable"
        assert len(found) == len(bad.expect), f"{name} bad[{index}]: {found}"
        for want, violation in zip(bad.expect, found, strict=True):
            where = f"{name} bad[{index}]"
            seen = (violation.message, violation.paths, violation.observed, violation.required)
            assert seen == (want.message, want.paths, want.observed, want.required), where
            assert (violation.urn, violation.related) == (want.urn, want.related), where
            # The fix travels beside the sentence, never inside it.
            assert violation.remediation == module.REMEDIATION, where
            assert module.REMEDIATION not in violation.message, where
            assert not violation.error, where


@pytest.mark.parametrize(
    "name", sorted(n for n, m in MODULES.items() if isinstance(m.POLICY, ResourceValidationPolicy))
)
def test_resource_rules_ignore_other_types(name: str) -> None:
    module = MODULES[name]
    for bad in module.EXAMPLES.bad:
        assert (
            run(
                module.POLICY,
                copy.deepcopy(_props(bad.subject)),
                bad.config,
                "gcp:storage/bucket:Bucket",
            )
            == []
        )


@pytest.mark.parametrize(
    "name", sorted(n for n, m in MODULES.items() if isinstance(m.POLICY, StackValidationPolicy))
)
def test_stack_rules_ignore_stacks_without_their_resources(name: str) -> None:
    bucket = Res("gcp:storage/bucket:Bucket", {"name": "b"})
    assert run(MODULES[name].POLICY, [bucket]) == []


@pytest.mark.parametrize(
    "name", sorted(n for n, m in MODULES.items() if isinstance(m.POLICY, ResourceValidationPolicy))
)
def test_resource_rules_survive_malformed_properties(name: str) -> None:
    module = MODULES[name]
    for garbage in ({"template": "oops", "settings": 3, "minInstances": [1]}, {}):
        found = run(module.POLICY, garbage, None, _resource_type(module))
        assert found == NOT_APPLICABLE or not any(v.error for v in found), f"{name}: {found}"


def test_unknown_values_never_give_a_false_violation() -> None:
    module = MODULES["cloudrun-startup-probe-covers-db-init"]
    bad = copy.deepcopy(module.EXAMPLES.bad[0].subject)
    bad["template"]["containers"][0]["startupProbe"]["failureThreshold"] = UNKNOWN_STRING
    assert _findings(module, bad, {}) == []
    module = MODULES["connector-cidr-is-28"]
    assert _findings(module, {"ipCidrRange": UNKNOWN_STRING}, {}) == []
    module = MODULES["cloudrun-egress-through-connector"]
    service = copy.deepcopy(module.EXAMPLES.good[0])
    service["template"]["vpcAccess"]["connector"] = UNKNOWN_STRING
    assert _findings(module, service, {}) == []
    assert UNKNOWN is not None


def test_unknown_list_makes_a_rule_not_applicable() -> None:
    module = MODULES["cloudrun-secrets-by-reference"]
    service = copy.deepcopy(module.EXAMPLES.good[0])
    service["template"]["containers"] = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"
    assert _findings(module, service, {}) == NOT_APPLICABLE


def test_secret_values_never_appear_in_messages() -> None:
    module = MODULES["cloudrun-secrets-by-reference"]
    for bad in module.EXAMPLES.bad:
        for violation in _findings(module, bad.subject, {}):
            shown = f"{violation}"
            assert "hunter2" not in shown and "s3cr3t" not in shown


def _crashing(kind: str):
    def check(_subject, _config):
        yield Violation("first, before the crash", ("a",))
        raise KeyError("boom")

    if kind == "stack":
        return stack_policy(
            name="crashes", description="d", check=check, severity=Severity.LOW, remediation="r"
        )
    return resource_policy(
        name="crashes",
        description="d",
        resource_types=("t",),
        check=check,
        severity=Severity.LOW,
        remediation="r",
    )


@pytest.mark.parametrize("kind", ["resource", "stack"])
def test_a_rule_that_raises_is_an_error_with_its_name_never_a_violation(kind: str) -> None:
    subject = [Res("t", {"name": "x"})] if kind == "stack" else {"name": "x"}
    found = run(_crashing(kind), subject, None, "t")
    assert found == [
        Violation("first, before the crash", ("a",), remediation="r"),
        Violation(
            "rule crashes raised KeyError: 'boom'",
            remediation="Report it: a rule is broken.",
            error=True,
        ),
    ]


def test_under_the_pulumi_cli_a_crash_fails_the_analyze_call(monkeypatch) -> None:
    # No error channel in the protocol: the exception reaches the engine ("failed to run policy").
    monkeypatch.delenv(STRUCTURED_ENV, raising=False)
    args = mock.Mock(resource_type="t", props={}, get_config=lambda: {})
    with pytest.raises(KeyError, match="boom"):
        _crashing("resource").validate(args, lambda *_: None)


def test_under_the_pulumi_cli_the_message_is_the_sentence_and_its_fix(monkeypatch) -> None:
    monkeypatch.delenv(STRUCTURED_ENV, raising=False)
    module = MODULES["connector-cidr-is-28"]
    args = mock.Mock(resource_type=module.RESOURCE_TYPE, props={"ipCidrRange": "10.8.0.0/24"})
    args.get_config = lambda: {}
    messages: list[str] = []
    module.POLICY.validate(args, lambda message, _urn=None: messages.append(message))
    assert messages == [
        f"ipCidrRange 10.8.0.0/24 is a /24; connectors need a /28. Fix: {module.REMEDIATION}"
    ]


def test_resource_rules_declare_the_types_they_inspect_as_tags() -> None:
    for module in rules.MODULES:
        tags = module.POLICY.tags or []
        assert all(tag.startswith(INSPECTS) or tag == SECURITY for tag in tags), module.POLICY.name
        if isinstance(module.POLICY, ResourceValidationPolicy):
            assert f"{INSPECTS}{module.RESOURCE_TYPE}" in tags, module.POLICY.name


def test_the_policy_config_can_declare_a_secret_external_for_any_program() -> None:
    from policies.guard import samples
    from policies.rules import secret_references_resolve as rule

    service = [Res(rule.SERVICE, samples.service())]
    assert run(rule.POLICY, service, {"externalSecrets": ["jwt-secret-key"]}) == []
    (violation,) = run(rule.POLICY, copy.deepcopy(service), {"externalSecrets": ["other"]})
    assert violation.observed == "jwt-secret-key"

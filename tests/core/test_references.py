"""The reference table: every type it names is a pulumi_gcp type, and each form reads the names a
value gives (and none from values that name nothing of the stack)."""

from __future__ import annotations

import re
from pathlib import Path

import pulumi_gcp
import pytest

from conduit.core import references
from conduit.core.references import key_of, named, project_named, values_at


def _gcp_types() -> set[str]:
    found: set[str] = set()
    for module in Path(pulumi_gcp.__file__).parent.glob("*/*.py"):
        found.update(
            re.findall(r"'(gcp:[A-Za-z0-9]+/[A-Za-z0-9]+:[A-Za-z0-9]+)'", module.read_text())
        )
    return found


def test_every_type_in_the_table_is_a_pulumi_gcp_resource_type() -> None:
    known = _gcp_types()
    named_types = {t for ref in references.REFERENCES for t in (ref.source, *ref.targets)}
    assert named_types - known == set()
    assert len(references.REFERENCES) == len(set(references.REFERENCES))


@pytest.mark.parametrize(
    ("value", "form", "names"),
    [
        ("backend-probe", "name", ["backend-probe"]),
        ("projects/p/locations/r/jobs/backend-probe", "name", ["backend-probe"]),
        ("https://run.googleapis.com/v2/projects/p/locations/r/jobs/j:run", "name", ["j"]),
        ("https://www.googleapis.com/compute/v1/projects/p/global/networks/vpc/", "name", ["vpc"]),
        ("", "name", []),
        ("serviceAccount:run@p.iam.gserviceaccount.com", "member", ["run"]),
        ("run@p.iam.gserviceaccount.com", "member", ["run"]),
        ("projects/p/serviceAccounts/run@p.iam.gserviceaccount.com", "member", ["run"]),
        # Users, groups, Google's agents, the public: no account of the stack.
        ("user:run@p.iam.gserviceaccount.com", "member", []),
        ("allUsers", "member", []),
        ("serviceAccount:run@developer.gserviceaccount.com", "member", []),
        ("acme:us-central1:staging-instance", "connection", ["staging-instance"]),
        ("staging-instance", "connection", []),
        ("a:b:c:d", "connection", []),
        (
            'metric.type="logging.googleapis.com/user/a" AND metric.type = '
            '"logging.googleapis.com/user/b_c" AND metric.type="run.googleapis.com/x"',
            "metric",
            ["a", "b_c"],
        ),
        ('metric.labels.check_id=one_of("c-1", "c-2")', "check", ["c-1", "c-2"]),
        ('metric.label.check_id = "c-3"', "check", ["c-3"]),
        ('resource.labels.host="c-4"', "check", []),
    ],
)
def test_each_form_reads_the_names_a_value_gives(value: str, form, names: list[str]) -> None:
    assert named(value, form) == names


@pytest.mark.parametrize(
    ("value", "project"),
    [
        ("projects/acme/locations/r/jobs/j", "acme"),
        ("https://run.googleapis.com/v2/projects/acme/locations/r/jobs/j:run", "acme"),
        ("run@acme.iam.gserviceaccount.com", "acme"),
        ("serviceAccount:run@acme.iam.gserviceaccount.com", "acme"),
        ("backend-probe", None),
        ("user@acme.example", None),
    ],
)
def test_the_project_a_value_names(value: str, project: str | None) -> None:
    assert project_named(value) == project


def test_values_are_read_through_lists_and_past_what_is_absent() -> None:
    props = {
        "template": {
            "containers": [
                {"envs": [{"valueSource": {"secretKeyRef": {"secret": "a"}}}, {"value": "x"}]},
                {"envs": [{"valueSource": {"secretKeyRef": {"secret": "b"}}}]},
                {"envs": None},
            ]
        },
        "members": ["m1", "m2"],
    }
    path = "template.containers.envs.valueSource.secretKeyRef.secret"
    assert list(values_at(props, path)) == ["a", "b"]
    assert list(values_at(props, "members")) == ["m1", "m2"]
    assert list(values_at(props, "template.missing")) == []
    assert list(values_at("not a mapping", "a")) == []


class _UnknownValueError(Exception):
    pass


class _Proxy(dict):
    """A mapping whose `hidden` key raises, as the policy SDK's proxy does for unknowns."""

    def get(self, key, default=None):
        if key == "hidden":
            raise _UnknownValueError
        return super().get(key, default)


class _ListProxy(list):
    def __getitem__(self, index):
        if index == 0:
            raise _UnknownValueError
        return super().__getitem__(index)


def test_unknown_values_are_left_out_not_raised() -> None:
    props = _Proxy(hidden="x", shown=_ListProxy(["unknown", "known"]))
    assert list(values_at(props, "hidden", (_UnknownValueError,))) == []
    assert list(values_at(props, "shown", (_UnknownValueError,))) == ["known"]
    with pytest.raises(_UnknownValueError):
        list(values_at(props, "hidden"))


def test_a_target_s_key_is_its_short_name() -> None:
    assert key_of(references.JOB, {"name": "j"}) == "j"
    assert key_of(references.SECRET, {"secretId": "s", "name": "projects/p/secrets/s"}) == "s"
    assert key_of(references.ACCOUNT, {"accountId": "a", "name": "x"}) == "a"
    channel = {"name": "projects/p/notificationChannels/123"}
    assert key_of(references.CHANNEL, channel) == "123"
    assert key_of(references.CHANNEL, {}) is None

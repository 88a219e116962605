"""Every committed stack keeps the URNs and names it had before #27 (tests/fixtures/
resource_names.json, recorded by scripts/record-resource-names.py on the commit before)."""

from __future__ import annotations

import json

import pytest

from conduit.preview.names_record import COMMITTED_STACKS, record
from tests.support.project import ROOT

RECORDED = json.loads((ROOT / "tests" / "fixtures" / "resource_names.json").read_text())


@pytest.mark.parametrize("stack", sorted(COMMITTED_STACKS))
def test_a_committed_stack_keeps_every_urn_and_name(stack: str) -> None:
    now = record(ROOT / COMMITTED_STACKS[stack], stack)
    before = RECORDED[stack]
    assert sorted(set(before) - set(now)) == [], "URNs gone"
    assert sorted(set(now) - set(before)) == [], "URNs new"
    renamed = {urn: (before[urn], now[urn]) for urn in before if before[urn] != now[urn]}
    assert renamed == {}


def test_the_record_covers_every_committed_stack() -> None:
    assert sorted(RECORDED) == sorted(COMMITTED_STACKS)
    assert all(len(RECORDED[stack]) > 20 for stack in RECORDED)

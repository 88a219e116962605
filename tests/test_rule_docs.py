"""docs/rules/ holds exactly one page per rule, each what scripts/rule-docs.py writes from the
rule's metadata and examples now: a rule changed without `make docs` fails here."""

from __future__ import annotations

import runpy

from policies import rules
from tests.support.project import ROOT

GENERATOR = runpy.run_path(str(ROOT / "scripts" / "rule-docs.py"))
PAGES = ROOT / "docs" / "rules"


def test_every_rule_has_its_page_and_no_page_is_left_over() -> None:
    committed = {path.name for path in PAGES.glob("*")}
    assert committed == {f"{module.POLICY.name}.md" for module in rules.MODULES}


def test_every_committed_page_is_what_the_generator_writes() -> None:
    stale = [
        name
        for name, text in GENERATOR["pages"]().items()
        if not (PAGES / name).exists() or (PAGES / name).read_text() != text
    ]
    assert not stale, f"run `make docs`: {stale}"


def test_a_page_carries_the_rule_s_metadata_and_every_example() -> None:
    module = next(m for m in rules.MODULES if m.POLICY.name == "iam-no-project-privileged-roles")
    page = GENERATOR["page"](module)
    policy = module.POLICY
    for fact in (
        f"# {policy.name}\n",
        policy.description,
        f"| severity | {policy.severity.value} |",
        f"| default enforcement | {policy.enforcement_level.value} |",
        "| Checkov | CKV_GCP_117, CKV_GCP_41, CKV_GCP_49 |",
        "| Trivy | AVD-GCP-0011, AVD-GCP-0007 |",
        "`gcp:projects/iAMMember:IAMMember`",
        policy.remediation_steps,
    ):
        assert fact in page, fact
    assert page.count("\nGood example ") == len(module.EXAMPLES.good) - 1
    assert page.count("\nBad example ") == len(module.EXAMPLES.bad)
    for bad in module.EXAMPLES.bad:
        for want in bad.expect:
            assert f"  - {want.message}\n" in page, want.message


def test_a_bad_example_is_shown_as_its_change_from_the_first_good_one() -> None:
    module = next(m for m in rules.MODULES if m.POLICY.name == "cloudsql-no-public-ip")
    page = GENERATOR["page"](module)
    assert (
        "Bad example 3:\n\n- the first good example with:\n"
        "  - `settings.ipConfiguration.ipv4Enabled` removed\n- finds:\n"
        "  - the instance gets a public IPv4 address (ipv4Enabled is not false).\n"
        "    (at `settings.ipConfiguration.ipv4Enabled`; observed `true`; required `false`)\n"
    ) in page

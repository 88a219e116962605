"""The reference under docs/ stays true: the policy catalogue, the settings reference, the
validator's checks, what `make preview` ends with, and the walk-through for your own service."""

from __future__ import annotations

import re
import subprocess
import typing

from pydantic import BaseModel

from conduit.core import suppression
from conduit.core.settings import StackFile
from policies import rules
from tests.support.cli import conduit
from tests.support.project import ROOT

DOCS = ROOT / "docs"


def _page(name: str) -> str:
    return (DOCS / f"{name}.md").read_text()


CATALOGUE = re.compile(r"^\| \[`([a-z0-9-]+)`\]\(rules/\1\.md\) \|.*$", re.M)


def test_the_catalogue_lists_exactly_the_pack_s_policies_each_linking_its_page() -> None:
    listed = CATALOGUE.findall(_page("policies"))
    assert sorted(listed) == sorted(module.POLICY.name for module in rules.MODULES)
    # Every row of the table is a policy's, linked to its page: none is left unlinked.
    rows = re.findall(r"^\| (?!policy \||---)(.*)$", _page("policies"), re.M)
    assert len(rows) == len(listed)


def test_the_catalogue_gives_each_policy_s_default_level_and_config_keys() -> None:
    rows = {m.group(1): m.group(0) for m in CATALOGUE.finditer(_page("policies"))}
    for module in rules.MODULES:
        policy = module.POLICY
        level = policy.enforcement_level.value
        assert f"| {level} |" in rows[policy.name], policy.name
        # `suppress`, which every policy takes, is described once, in the preview's page.
        assert policy.config_schema.properties[suppression.KEY] == suppression.SCHEMA
        for key in policy.config_schema.properties:
            if key != suppression.KEY:
                assert f"`{key}`" in rows[policy.name], f"{policy.name}: {key}"
    assert "`suppress`" in _page("preview")


def _keys(model: type[BaseModel], prefix: str) -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        nested = next(
            (
                a
                for a in (field.annotation, *typing.get_args(field.annotation))
                if isinstance(a, type) and issubclass(a, BaseModel)
            ),
            None,
        )
        keys += _keys(nested, f"{key}.") if nested else [key]
    return keys


def test_the_settings_reference_covers_every_key() -> None:
    listed = set(re.findall(r"^\| `([^`]+)` \|", _page("settings"), re.M))
    expected = set(_keys(StackFile, "")) | {"conduit:secretValues"}
    assert listed == expected, (expected - listed, listed - expected)


def test_the_validator_table_lists_exactly_the_checks() -> None:
    from conduit.validate.checks import CHECKS

    listed = re.findall(r"^\| `([a-z-]+)` \|", _page("validate"), re.M)
    assert listed == [c.ID for c in CHECKS]


def test_the_preview_page_shows_exactly_what_make_preview_ends_with() -> None:
    shown = _page("preview").split("ends with exactly this:\n\n```text\n", 1)[1].split("```", 1)[0]
    # make preview runs `conduit preview --stack staging` after its set-up lines.
    assert conduit("preview", "--stack", "staging").stdout == shown


def test_the_walk_through_conduit_for_your_service_runs_as_written(tmp_path) -> None:
    page = _page("your-service")
    first, second = re.findall(r"```sh\n(.*?)```", page, re.S)
    (stack_file,) = re.findall(r"```yaml\n(.*?)```", page, re.S)
    assert stack_file == (ROOT / "examples" / "orders" / "Pulumi.dev.yaml").read_text()
    for name in ("__main__.py", "Pulumi.yaml", ".venv", "policies", "conduit"):
        (tmp_path / name).symlink_to(ROOT / name)

    def run(block: str) -> list[tuple[int, int, str]]:
        results = []
        for line in block.splitlines():
            command, _, comment = line.partition("   # ")
            result = subprocess.run(
                command, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=300
            )
            wanted = int(comment.split(":")[0].removeprefix("exit ")) if comment else 0
            results.append((result.returncode, wanted, result.stdout + result.stderr))
        return results

    *setup, (code, wanted, output) = run(first)
    assert all(c == 0 for c, _, _ in setup), setup
    assert code == wanted == 2, output
    # The project's declared keys first, as the Pulumi CLI checks them before the program runs.
    assert output.splitlines() == [
        f"Pulumi.dev.yaml: {key}: required (declared in Pulumi.yaml with no default): Stack 'dev' "
        f"is missing configuration value '{key}'"
        for key in ("conduit:database", "conduit:network")
    ]
    (tmp_path / "orders" / "Pulumi.dev.yaml").write_text(stack_file)
    ((code, wanted, output),) = run(second)
    assert code == wanted == 0, output
    assert (
        "policy config: standard defaults (the pack's own; no policies/config/dev.json)" in output
    )
    assert "dev: 24 resources, no mandatory violations" in output

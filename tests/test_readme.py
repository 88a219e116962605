"""The README stays true: its commands, its policy catalogue and its settings reference."""

from __future__ import annotations

import re
import typing

from pydantic import BaseModel

from conduit.core import suppression
from conduit.core.settings import StackFile
from policies import rules
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_first_two_commands_are_preview_and_test() -> None:
    block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands[:2] == ["make preview", "make test"]


def test_the_catalogue_lists_exactly_the_pack_s_policies() -> None:
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", _section("Policy catalogue"), re.M)
    assert sorted(listed) == sorted(module.POLICY.name for module in rules.MODULES)


def test_the_catalogue_gives_each_policy_s_default_level_and_config_keys() -> None:
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r"^\| `([a-z0-9-]+)` \|.*$", _section("Policy catalogue"), re.M)
    }
    for module in rules.MODULES:
        policy = module.POLICY
        level = policy.enforcement_level.value
        assert f"| {level} |" in rows[policy.name], policy.name
        # `suppress`, which every policy takes, is described once, above the catalogue.
        assert policy.config_schema.properties[suppression.KEY] == suppression.SCHEMA
        for key in policy.config_schema.properties:
            if key != suppression.KEY:
                assert f"`{key}`" in rows[policy.name], f"{policy.name}: {key}"


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
    listed = set(re.findall(r"^\| `([^`]+)` \|", _section("Settings"), re.M))
    expected = set(_keys(StackFile, "")) | {"conduit:secretValues"}
    assert listed == expected, (expected - listed, listed - expected)


def test_the_validator_table_lists_exactly_the_checks() -> None:
    from conduit.validate.checks import CHECKS

    listed = re.findall(r"^\| `([a-z-]+)` \|", _section("Post-deploy validation"), re.M)
    assert listed == [c.ID for c in CHECKS]


def test_the_quick_start_shows_exactly_what_make_preview_ends_with() -> None:
    from tests.test_preview import conduit

    text = (ROOT / "README.md").read_text()
    shown = text.split("ends with exactly this:\n\n```text\n", 1)[1].split("```", 1)[0]
    # make preview runs `conduit preview --stack staging` after its set-up lines.
    assert conduit("preview", "--stack", "staging").stdout == shown


def test_the_walk_through_conduit_for_your_service_runs_as_written(tmp_path) -> None:
    import subprocess

    section = _section("Conduit for your service")
    first, second = re.findall(r"```sh\n(.*?)```", section, re.S)
    (stack_file,) = re.findall(r"```yaml\n(.*?)```", section, re.S)
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

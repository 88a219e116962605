"""The Pulumi CLI's load and merge rules: the committed files pass them, and `conduit preview`
refuses what the CLI refuses (exit 2, one line per problem, naming the key)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conduit.core.loader import SettingsError
from conduit.preview.project import load_project, merge_stack_config, type_matches
from tests.support.cli import conduit
from tests.support.project import ROOT, stack_config

SHIPPED_SCHEMA = ROOT / "conduit" / "preview" / "pulumi-project.schema.json"
SCHEMA = json.loads(SHIPPED_SCHEMA.read_text())
SCHEMA_SHA256 = "55b50752803a9b595675fa3119e710f91e907821deef1674e9e25e7b5ebc5daf"
"""The CLI's project schema (pulumi/pulumi sdk/go/common/workspace/project.json) as shipped: a
change to the file is a change to what Conduit enforces, made on purpose."""
STACKS = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))


def test_the_shipped_schema_is_the_one_read_from_the_cli() -> None:
    assert hashlib.sha256(SHIPPED_SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_the_committed_project_file_matches_the_cli_schema() -> None:
    jsonschema.validate(yaml.safe_load((ROOT / "Pulumi.yaml").read_text()), SCHEMA)
    project = load_project(ROOT)
    assert project.name == "conduit"
    # Provider keys are never declared: the CLI refuses a type or a default on them.
    assert all(d.key.startswith("conduit:") for d in project.declarations)


@pytest.mark.parametrize("stack", STACKS)
def test_every_committed_stack_merges_as_the_cli_merges_it(stack: str) -> None:
    project = load_project(ROOT)
    config = stack_config(stack)
    merged = merge_stack_config(project, stack, config, f"Pulumi.{stack}.yaml")
    required = {d.full_key for d in project.declarations if not d.has_default}
    assert required <= set(config), required - set(config)
    assert merged["conduit:externalSecrets"] == config.get("conduit:externalSecrets", {})
    assert merged["conduit:enableApis"] is config.get("conduit:enableApis", True)


def _project(tmp_path: Path, config: dict[str, Any] | None = None, **top: Any) -> Path:
    document: dict[str, Any] = {"name": "conduit", "runtime": "python", **top}
    if config is not None:
        document["config"] = config
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump(document))
    return tmp_path


def _load_problems(tmp_path: Path, config: dict[str, Any] | None = None, **top: Any) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_project(_project(tmp_path, config, **top))
    return caught.value.problems


def test_a_typed_provider_key_is_refused(tmp_path) -> None:
    assert _load_problems(tmp_path, {"gcp:project": {"type": "string"}}) == [
        "Pulumi.yaml: config.gcp:project: not namespaced by the project 'conduit', so it must "
        "not define a type (document provider settings in the README or the stack files)",
        "Pulumi.yaml: config.gcp:project: not namespaced by the project 'conduit', so it must "
        "give a 'value'",
    ]


def test_a_provider_key_with_a_value_loads_and_a_default_does_not(tmp_path) -> None:
    load_project(_project(tmp_path, {"gcp:region": {"value": "us-central1"}}))
    load_project(_project(tmp_path, {"gcp:region": "us-central1"}))  # shorthand: a value
    assert _load_problems(tmp_path, {"gcp:region": {"default": "us-central1"}})[0] == (
        "Pulumi.yaml: config.gcp:region: not namespaced by the project 'conduit', so it must "
        "not define a default (the CLI accepts only 'value' here)"
    )


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        (
            {"type": "array"},
            "config.conduit:x: declares an array but does not give its items' type ('items')",
        ),
        (
            {"type": "integer", "default": "ten"},
            "config.conduit:x: the default is not of the declared type 'integer'",
        ),
        (
            {"type": "array", "items": {"type": "integer"}, "default": ["a"]},
            "config.conduit:x: the default is not of the declared type 'array<integer>'",
        ),
        (
            {"default": 1, "value": 2},
            "config.conduit:x: cannot have both a 'default' and a 'value' attribute",
        ),
    ],
)
def test_project_key_declarations_follow_the_cli(tmp_path, spec, problem) -> None:
    assert _load_problems(tmp_path, {"conduit:x": spec}) == [f"Pulumi.yaml: {problem}"]


def test_the_schema_refuses_unknown_attributes_and_a_bad_runtime(tmp_path) -> None:
    (problem,) = _load_problems(tmp_path, {"conduit:x": {"type": "string", "required": True}})
    assert problem == (
        "Pulumi.yaml: config.conduit:x: {'required': True, 'type': 'string'} is not valid under "
        "any of the given schemas"
    )
    (problem,) = _load_problems(tmp_path, None, runtime=3)
    assert problem == "Pulumi.yaml: runtime: 3 is not valid under any of the given schemas"
    (tmp_path / "Pulumi.yaml").write_text("name: ''\nruntime: python\n")
    with pytest.raises(SettingsError) as caught:
        load_project(tmp_path)
    assert caught.value.problems == [
        "Pulumi.yaml: name: project is missing a non-empty string 'name'"
    ]


def test_no_project_file_says_where_it_looked(tmp_path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_project(tmp_path)
    assert caught.value.problems == [
        f"Pulumi.yaml: not found in {tmp_path}: not a Pulumi project (run from the project "
        "directory or give --cwd DIR)"
    ]


@pytest.mark.parametrize(
    ("type_name", "items", "good", "bad"),
    [
        ("integer", None, "10", "ten"),
        ("integer", None, 10.0, 10.5),
        ("integer", None, 10, True),
        ("boolean", None, "false", "no"),
        ("boolean", None, True, 1),
        ("string", None, "x", {"a": 1}),
        ("object", None, {}, "x"),
        ("array", {"type": "integer"}, ["1", 2], ["a"]),
        ("array", {"type": "integer"}, [], "x"),
    ],
)
def test_type_rules_are_the_cli_s(type_name, items, good, bad) -> None:
    assert type_matches(type_name, items, good)
    assert not type_matches(type_name, items, bad)


def test_merge_reports_missing_required_keys_and_wrong_types_at_once(tmp_path) -> None:
    project = load_project(
        _project(
            tmp_path,
            {
                "conduit:needed": {"type": "string"},
                "conduit:network": {"type": "object"},
                "conduit:count": {"type": "integer"},
                "flag": {"type": "boolean", "default": True},
                "gcp:region": {"value": "us-central1"},
            },
        )
    )
    config = {"conduit:network": "vpc", "conduit:count": "7", "gcp:project": "p"}
    with pytest.raises(SettingsError) as caught:
        merge_stack_config(project, "dev", config, "Pulumi.dev.yaml")
    assert caught.value.problems == [
        "Pulumi.dev.yaml: conduit:needed: required (declared in Pulumi.yaml with no default): "
        "Stack 'dev' is missing configuration value 'conduit:needed'",
        "Pulumi.dev.yaml: conduit:network: must be of type 'object' (as Pulumi.yaml declares "
        "it), got 'vpc'",
    ]
    config["conduit:needed"] = "x"
    config["conduit:network"] = {"a": 1}
    merged = merge_stack_config(project, "dev", config, "Pulumi.dev.yaml")
    # Defaults and values fill in what the stack leaves out, as the program then receives them.
    assert merged["conduit:flag"] is True and merged["gcp:region"] == "us-central1"
    # A stack key without a namespace is the project's own.
    unqualified = merge_stack_config(
        project, "dev", {"needed": "y", "network": {}, "count": 1}, "P.yaml"
    )
    assert unqualified["conduit:needed"] == "y"


def test_an_encrypted_value_is_left_to_the_cli(tmp_path) -> None:
    project = load_project(_project(tmp_path, {"conduit:count": {"type": "integer"}}))
    merged = merge_stack_config(project, "dev", {"conduit:count": {"secure": "v1:x"}}, "P.yaml")
    assert merged["conduit:count"] == {"secure": "v1:x"}


def _copy(tmp_path: Path, project_file: str, config: dict[str, Any]) -> Path:
    shutil.copy(ROOT / "__main__.py", tmp_path / "__main__.py")
    (tmp_path / "Pulumi.yaml").write_text(project_file)
    (tmp_path / "Pulumi.staging.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def test_preview_exits_2_on_what_the_cli_refuses(tmp_path) -> None:
    base = (ROOT / "Pulumi.yaml").read_text()
    cases = {
        "typed": (
            base + "  gcp:project:\n    type: string\n",
            stack_config(),
            "Pulumi.yaml: config.gcp:project: not namespaced by the project 'conduit', so it "
            "must not define a type",
        ),
        "required": (
            base + "  conduit:owner:\n    type: string\n",
            stack_config(),
            "Pulumi.staging.yaml: conduit:owner: required (declared in Pulumi.yaml with no "
            "default): Stack 'staging' is missing configuration value 'conduit:owner'",
        ),
        "wrong-type": (
            base,
            {**stack_config(), "conduit:enableApis": "sometimes"},
            "Pulumi.staging.yaml: conduit:enableApis: must be of type 'boolean' (as Pulumi.yaml "
            "declares it), got 'sometimes'",
        ),
    }
    for name, (project_file, config, line) in cases.items():
        directory = tmp_path / name
        directory.mkdir()
        result = conduit(
            "preview",
            "--cwd",
            str(_copy(directory, project_file, config)),
            "--policy-pack",
            str(ROOT / "policies"),
        )
        assert result.returncode == 2, (name, result.stderr)
        assert result.stdout == "", name
        assert result.stderr.splitlines()[0].startswith(line), (name, result.stderr)
        assert "Traceback" not in result.stderr, name


def test_preview_outside_a_project_exits_2_and_names_the_directory(tmp_path) -> None:
    result = conduit("preview", "--cwd", str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"Pulumi.yaml: not found in {tmp_path}: not a Pulumi project (run from the project "
        "directory or give --cwd DIR)\n"
    )


def test_two_resources_with_one_urn_stop_the_preview_as_the_engine_would(tmp_path) -> None:
    project = _copy(tmp_path, (ROOT / "Pulumi.yaml").read_text(), stack_config())
    (project / "__main__.py").write_text(
        "import pulumi_gcp as gcp\n"
        "from conduit import program\n"
        "program.build(program.settings_from_runtime())\n"
        'gcp.compute.Network("twice", auto_create_subnetworks=False)\n'
        'gcp.compute.Network("twice", auto_create_subnetworks=False)\n'
    )
    result = conduit("preview", "--cwd", str(project), "--policy-pack", str(ROOT / "policies"))
    assert result.returncode == 3, result.stderr
    assert result.stderr == (
        "conduit preview: the Pulumi program failed: DuplicateUrnError: Duplicate resource URN "
        "(the engine stops the update here; each resource needs a unique type, name and "
        "parent): urn:pulumi:staging::conduit::gcp:compute/network:Network::"
        "twice\n"
    )


def test_a_boolean_written_as_text_is_read_as_the_program_reads_it(tmp_path) -> None:
    """The CLI hands `"false"` to the program as it hands `false`: the settings are the same."""
    from conduit.preview.plan import plan_stack

    project = _copy(tmp_path, (ROOT / "Pulumi.yaml").read_text(), stack_config())
    stack = project / "Pulumi.staging.yaml"
    stack.write_text(stack.read_text() + "  conduit:enableApis: 'false'\n")
    assert plan_stack(project, "staging").settings.enable_apis is False


def test_preview_in_a_folder_of_the_project_previews_the_project_above(tmp_path) -> None:
    project = _copy(tmp_path, (ROOT / "Pulumi.yaml").read_text(), stack_config())
    (project / "docs").mkdir()
    result = conduit(
        "preview", "--cwd", str(project / "docs"), "--policy-pack", str(ROOT / "policies")
    )
    assert (
        result.returncode
        == conduit(
            "preview", "--cwd", str(project), "--policy-pack", str(ROOT / "policies")
        ).returncode
    )
    assert result.stdout.startswith("Plan for stack staging (Pulumi.staging.yaml):\n"), (
        result.stderr
    )

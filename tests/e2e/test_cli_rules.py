"""The CLI-rule corpus against the real CLI: every bad Pulumi.yaml or stack file that `conduit
preview` refuses with exit 2 (tests/preview/test_project_file.py, tests/cli/test_user_errors.py) the
real `pulumi preview` refuses too, with the sentence pinned here; every variant the real CLI loads
and merges, `conduit preview` accepts.

"Accepted" is the whole preview run: the program through the language host, the pack and the
stand-in providers, with the exit `conduit preview` gives and nothing on stderr."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.cli import ROOT, copy_project, pulumi
from tests.support.cli import conduit

# The staging policy config (its public services) as the deploy workflow passes it to both.
CONFIG = str(ROOT / "policies" / "config" / "staging.json")

BINARY = b"\xff\xfe\x00garbage\x81"
DIRECTORY = None
PROJECT = (ROOT / "Pulumi.yaml").read_bytes()
STACK = (ROOT / "Pulumi.staging.yaml").read_bytes()


@dataclass(frozen=True)
class Case:
    """Pulumi.yaml and Pulumi.staging.yaml as written (bytes, or None for a directory) and what
    the real CLI says of them: its error line ({dir} is the project), or None when it loads them."""

    project: bytes | None
    stack: bytes | None
    cli_refuses: str | None


def _declare(text: str) -> bytes:
    return PROJECT + text.encode()


def _set(text: str) -> bytes:
    return STACK + text.encode()


def _unmarshal(message: str) -> str:
    return f"error: could not unmarshal '{{dir}}/Pulumi.yaml': {message}"


def _schema(*problems: str) -> str:
    """The CLI's JSON-schema refusal: every failed branch, one bullet each."""
    bullets = "".join(f"\t* {p}\n" for p in problems)
    return (
        f"error: could not validate '{{dir}}/Pulumi.yaml': {len(problems)} errors occurred:\n"
        f"{bullets}\n"
    )


REFUSED = {
    "typed provider key": Case(
        _declare("  gcp:project:\n    type: string\n"),
        STACK,
        _unmarshal(
            "Configuration key 'gcp:project' is not namespaced by the project and should not "
            "define a type"
        ),
    ),
    "provider key with a default": Case(
        _declare("  gcp:region:\n    default: us-central1\n"),
        STACK,
        _unmarshal(
            "Configuration key 'gcp:region' is not namespaced by the project and should not "
            "define a default value. Did you mean to use the 'value' attribute instead of "
            "'default'?"
        ),
    ),
    "array without items": Case(
        _declare("  conduit:x:\n    type: array\n"),
        STACK,
        _unmarshal(
            "The configuration key 'conduit:x' declares an array but does not specify the "
            "underlying type via the 'items' attribute"
        ),
    ),
    "default not an integer": Case(
        _declare("  conduit:x:\n    type: integer\n    default: ten\n"),
        STACK,
        _unmarshal(
            "The default value specified for configuration key 'conduit:x' is not of the "
            "expected type 'integer'"
        ),
    ),
    "default not an array of integers": Case(
        _declare("  conduit:x:\n    type: array\n    items: {type: integer}\n    default: [a]\n"),
        STACK,
        _unmarshal(
            "The default value specified for configuration key 'conduit:x' is not of the "
            "expected type 'array<integer>'"
        ),
    ),
    "default and value": Case(
        _declare("  conduit:x:\n    default: 1\n    value: 2\n"),
        STACK,
        _unmarshal("project config 'conduit:x' cannot have both a 'default' and 'value' attribute"),
    ),
    "unknown attribute": Case(
        _declare("  conduit:x:\n    type: string\n    required: true\n"),
        STACK,
        _schema(
            "#/config/conduit:x: oneOf failed",
            "#/config/conduit:x: expected string, but got object",
            "#/config/conduit:x: expected integer, but got object",
            "#/config/conduit:x: expected boolean, but got object",
            "#/config/conduit:x: expected array, but got object",
            "#/config/conduit:x: doesn't validate with '/$defs/configTypeDeclaration'",
            "#/config/conduit:x: additionalProperties 'required' not allowed",
        ),
    ),
    "runtime not a string": Case(
        b"name: conduit\nruntime: 3\n",
        STACK,
        _schema(
            "#/runtime: oneOf failed",
            "#/runtime: expected string, but got number",
            "#/runtime: expected object, but got number",
        ),
    ),
    "empty name": Case(
        b"name: ''\nruntime: python\n",
        STACK,
        "error: could not validate '{dir}/Pulumi.yaml': project is missing a non-empty string "
        "'name' attribute",
    ),
    "required key missing": Case(
        _declare("  conduit:owner:\n    type: string\n"),
        STACK,
        "error: validating stack config: Stack 'staging' is missing configuration value "
        "'conduit:owner'",
    ),
    "boolean key not a boolean": Case(
        PROJECT,
        _set("  conduit:enableApis: sometimes\n"),
        "error: validating stack config: Stack 'staging' with configuration key "
        "'conduit:enableApis' must be of type 'boolean'",
    ),
    "object key not an object": Case(
        PROJECT,
        STACK.replace(b"  conduit:network:\n", b"  conduit:network: vpc\n  conduit:unused:\n"),
        "error: validating stack config: Stack 'staging' with configuration key "
        "'conduit:network' must be of type 'object'",
    ),
    "Pulumi.yaml not YAML": Case(
        b"name: [unclosed",
        STACK,
        _unmarshal("invalid YAML file: yaml: line 1: did not find expected ',' or ']'"),
    ),
    "Pulumi.yaml not text": Case(
        BINARY, STACK, _unmarshal("invalid YAML file: yaml: incomplete UTF-16 character")
    ),
    "Pulumi.yaml a directory": Case(
        DIRECTORY,
        STACK,
        "error: no Pulumi.yaml project file found (searching upwards from {dir}). If you have not "
        "created a project yet, use `pulumi new` to do so: no project file found",
    ),
    "stack file not YAML": Case(
        PROJECT,
        b"config: [unclosed\n",
        "error: getting stack configuration: invalid YAML file: yaml: line 1: did not find "
        "expected ',' or ']'",
    ),
    "stack file not text": Case(
        PROJECT,
        BINARY,
        "error: getting stack configuration: invalid YAML file: yaml: incomplete UTF-16 character",
    ),
    "stack file a directory": Case(
        PROJECT,
        DIRECTORY,
        "error: getting stack configuration: read {dir}/Pulumi.staging.yaml: is a directory",
    ),
    "stack file not a mapping": Case(
        PROJECT,
        b"- a list\n",
        "error: getting stack configuration: expected project to be an object, was "
        "'[]interface {}'",
    ),
}

ACCEPTED = {
    "the committed files": Case(PROJECT, STACK, None),
    "provider key with a value": Case(
        _declare("  gcp:region:\n    value: us-central1\n"), STACK, None
    ),
    "provider key shorthand": Case(_declare("  gcp:region: us-central1\n"), STACK, None),
    "boolean written as text": Case(PROJECT, _set("  conduit:enableApis: 'false'\n"), None),
}


def _write(path: Path, content: bytes | None) -> None:
    if path.is_dir():
        path.rmdir()
    elif path.exists():
        path.unlink()
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)


@pytest.fixture
def stack_dir(tmp_path: Path) -> Path:
    """A copy of the project whose stack `staging` exists in a fresh backend."""
    directory = copy_project(tmp_path / "project", "staging")
    created = pulumi(tmp_path / "home", "stack", "init", "staging", "--cwd", str(directory))
    assert created.returncode == 0, created.stderr
    return directory


def _run_both(stack_dir: Path, case: Case):
    _write(stack_dir / "Pulumi.yaml", case.project)
    _write(stack_dir / "Pulumi.staging.yaml", case.stack)
    real = pulumi(
        stack_dir.parent / "home",
        "preview",
        "--stack",
        "staging",
        "--cwd",
        str(stack_dir),
        "--policy-pack",
        str(ROOT / "policies"),
        "--policy-pack-config",
        CONFIG,
    )
    ours = conduit(
        "preview",
        "--cwd",
        str(stack_dir),
        "--stack",
        "staging",
        "--policy-pack",
        str(ROOT / "policies"),
        "--policy-config",
        CONFIG,
    )
    return real, ours


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_conduit_refuses_the_cli_refuses(stack_dir: Path, name: str) -> None:
    case = REFUSED[name]
    real, ours = _run_both(stack_dir, case)
    assert ours.returncode == 2, (ours.returncode, ours.stderr)
    said = case.cli_refuses.replace("{dir}", str(stack_dir))
    assert (real.returncode, real.stderr) == (1, said + "\n")


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_what_the_cli_accepts_conduit_accepts(stack_dir: Path, name: str) -> None:
    real, ours = _run_both(stack_dir, ACCEPTED[name])
    assert ours.returncode in (0, 1), ours.stderr
    assert (real.returncode, real.stderr) == (ours.returncode, "")
    assert "[mandatory]" not in real.stdout and "conduit@v0.1.0" in real.stdout, real.stdout


def test_run_in_a_folder_of_the_project_both_load_the_project_above(stack_dir: Path) -> None:
    folder = stack_dir / "docs" / "notes"
    folder.mkdir(parents=True)
    pack = ("--policy-pack", str(ROOT / "policies"))
    real = pulumi(
        stack_dir.parent / "home",
        *("preview", "--stack", "staging", "--cwd", str(folder), *pack),
        *("--policy-pack-config", CONFIG),
    )
    ours = conduit(
        "preview", "--cwd", str(folder), "--stack", "staging", *pack, "--policy-config", CONFIG
    )
    assert ours.returncode in (0, 1), ours.stderr
    assert (real.returncode, real.stderr) == (ours.returncode, "")
    assert ours.stdout.startswith("Plan for stack staging (Pulumi.staging.yaml):\n"), ours.stdout


def test_a_missing_cwd_is_refused_by_both(stack_dir: Path) -> None:
    missing = stack_dir / "nowhere"
    real = pulumi(stack_dir.parent / "home", "preview", "--stack", "staging", "--cwd", str(missing))
    ours = conduit("preview", "--cwd", str(missing), "--stack", "staging")
    assert (real.returncode, real.stderr) == (
        1,
        f"error: chdir {missing}: no such file or directory\n",
    )
    assert (ours.returncode, ours.stderr) == (2, f"--cwd {missing}: no such directory\n")

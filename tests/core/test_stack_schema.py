"""The stack file's JSON Schema: generated from the settings models, committed, in step, and named
by every committed stack file for editors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from conduit.core import facts
from conduit.core.stack_schema import SCHEMA_PATH, render
from tests.support.project import ROOT

STACK_FILES = [
    "Pulumi.staging.yaml",
    "Pulumi.staging-direct.yaml",
    "Pulumi.production.yaml",
    "examples/incident/Pulumi.incident.yaml",
    "examples/orders/Pulumi.dev.yaml",
]
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def test_the_committed_schema_is_the_generated_one() -> None:
    # On failure: `.venv/bin/python -m conduit.core.stack_schema` and commit the result.
    assert SCHEMA_PATH.read_text() == render()


def test_the_schema_is_a_valid_json_schema_with_descriptions_enums_ranges_and_defaults() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    config = schema["properties"]["config"]["properties"]
    assert config["gcp:region"]["enum"] == list(facts.RUN_REGIONS)
    assert config["conduit:grade"]["anyOf"][0]["enum"] == ["production", "standard"]
    assert "policy defaults" in config["conduit:grade"]["description"]
    entry = schema["$defs"]["ServiceEntrySettings"]["properties"]
    assert entry["concurrency"]["maximum"] == facts.CONCURRENCY[1]
    assert entry["port"]["default"] == 8080
    assert {"type": "number"} in entry["cpu"]["anyOf"]


@pytest.mark.parametrize("name", STACK_FILES)
def test_every_committed_stack_file_names_the_schema_and_meets_it(name: str) -> None:
    path = ROOT / name
    first = path.read_text().splitlines()[0]
    match = SCHEMA_LINE.match(first)
    assert match, f"{name}: first line must be `# yaml-language-server: $schema=...`"
    assert (path.parent / match.group(1)).resolve() == SCHEMA_PATH
    assert list(_validator().iter_errors(yaml.safe_load(path.read_text()))) == []


def test_the_schema_flags_a_typo_and_a_wrong_value_as_an_editor_would(tmp_path: Path) -> None:
    document = yaml.safe_load((ROOT / "Pulumi.staging.yaml").read_text())
    document["config"]["conduit:database"]["availabilty"] = "ZONAL"
    assert _validator().iter_errors(document)
    document = yaml.safe_load((ROOT / "Pulumi.staging.yaml").read_text())
    document["config"]["gcp:region"] = "europe-west01"
    (error,) = _validator().iter_errors(document)
    assert list(error.absolute_path) == ["config", "gcp:region"]

"""The JSON Schema of a `Pulumi.<stack>.yaml`, generated from the settings models, for editors
(the YAML language server's `# yaml-language-server: $schema=...` line). Committed as
stack.schema.json beside this module and kept in step by tests/core/test_stack_schema.py:
`python -m conduit.core.stack_schema` writes it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conduit.core.loader import SECRET_VALUES_KEY
from conduit.core.settings import StackFile

SCHEMA_PATH = Path(__file__).with_name("stack.schema.json")
SCHEMA_ID = "https://conduit.example/schemas/stack.schema.json"


def stack_schema() -> dict[str, Any]:
    """The schema of a whole stack file: `config` holds the settings (descriptions, enums,
    ranges and defaults from the models); keys of other namespaces pass unchecked."""
    config = StackFile.model_json_schema(by_alias=True, mode="validation")
    defs = config.pop("$defs", {})
    config["properties"][SECRET_VALUES_KEY] = {
        "description": "Secret values by env name, set with `pulumi config set --secret --path "
        f"{SECRET_VALUES_KEY}.NAME VALUE` (encrypted in the file).",
        "type": "object",
        "additionalProperties": {
            "anyOf": [
                {"type": "object", "properties": {"secure": {"type": "string"}}},
                {"type": "string"},
            ]
        },
    }
    # Other namespaces (gcp:zone, pulumi:tags, ...) are the Pulumi CLI's and their owners'.
    config["patternProperties"] = {"^(?!conduit:)": {}}
    config["additionalProperties"] = False
    config["title"] = "config"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Conduit stack file (Pulumi.<stack>.yaml)",
        "type": "object",
        "properties": {
            "config": config,
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
        },
        "required": ["config"],
        "$defs": defs,
    }


def render() -> str:
    """The schema as committed: sorted keys, two-space indent, a final newline."""
    return json.dumps(stack_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")

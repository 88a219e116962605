"""The policy pack config (`--policy-pack-config`), reconciled with the pack as the engine does.

Format: `{"all": LEVEL, "<policy>": LEVEL | {"enforcementLevel": LEVEL, "<key>": value, ...}}`.
Each policy gets its schema's defaults, overlaid with the file's values, validated by its schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from conduit.core import files

LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}


class PolicyConfigError(ValueError):
    """An invalid policy config file: one `file: key: message` line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load(path: Path | None) -> dict[str, Any]:
    """The raw config file, or {} when none is given."""
    if path is None:
        return {}
    try:
        document = json.loads(files.read_text(path))
    except files.UnreadableFileError as error:
        raise PolicyConfigError([f"--policy-config {error}"]) from None
    except json.JSONDecodeError as error:
        raise PolicyConfigError([f"{path}: not valid JSON: {error}"]) from None
    if not isinstance(document, dict):
        raise PolicyConfigError([f"{path}: must be a JSON object keyed by policy name"])
    return document


def reconcile(
    info: analyzer_pb2.AnalyzerInfo, raw: dict[str, Any], source: str
) -> dict[str, analyzer_pb2.PolicyConfig]:
    """The Configure request's policyConfig: every policy's level and properties."""
    policies = {policy.name: policy for policy in info.policies}
    problems: list[str] = []
    allowed_levels = ", ".join(LEVELS)
    all_level = raw.get("all")
    if all_level is not None and all_level not in LEVELS:
        problems.append(
            f"{source}: all: unknown enforcement level {all_level!r}; allowed: {allowed_levels}"
        )
    for name in raw:
        if name != "all" and name not in policies:
            problems.append(
                f"{source}: {name}: no such policy in pack {info.name}; "
                f"policies: {', '.join(sorted(policies))}"
            )
    result: dict[str, analyzer_pb2.PolicyConfig] = {}
    for name, policy in policies.items():
        entry = raw.get(name, {})
        if isinstance(entry, str):
            entry = {"enforcementLevel": entry}
        if not isinstance(entry, dict):
            problems.append(f"{source}: {name}: must be an enforcement level or an object")
            continue
        level_name = entry.get("enforcementLevel", all_level)
        if level_name is not None and level_name not in LEVELS:
            # A bad "all" is reported once, above, not again for every policy it reaches.
            if "enforcementLevel" in entry:
                problems.append(
                    f"{source}: {name}.enforcementLevel: unknown level {level_name!r}; "
                    f"allowed: {allowed_levels}"
                )
            continue
        schema = json_format.MessageToDict(policy.configSchema)
        properties = schema.get("properties", {})
        values = {k: v["default"] for k, v in properties.items() if "default" in v}
        values.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
        problems += _validate(values, schema, f"{source}: {name}")
        level = LEVELS[level_name] if level_name else policy.enforcementLevel
        struct = struct_pb2.Struct()
        struct.update(values)
        result[name] = analyzer_pb2.PolicyConfig(enforcementLevel=level, properties=struct)
    if problems:
        raise PolicyConfigError(problems)
    return result


def _validate(values: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    full = {
        "type": "object",
        "properties": schema.get("properties", {}),
        "required": schema.get("required", []),
        "additionalProperties": False,
    }
    return [
        f"{where}.{'.'.join(str(p) for p in error.absolute_path) or '(config)'}: {error.message}"
        for error in jsonschema.Draft7Validator(full).iter_errors(values)
    ]

"""The policy config's `suppress` property, which every policy of the pack takes."""

from __future__ import annotations

from typing import Any

KEY = "suppress"
SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Resources (by name or URN) whose violations of this policy are suppressed, "
    "each with its reason.",
    "items": {
        "type": "object",
        "required": ["resource", "reason"],
        "additionalProperties": False,
        "properties": {
            "resource": {"type": "string", "minLength": 1},
            "reason": {"type": "string", "pattern": "\\S"},
        },
    },
}
"""The schema of every policy's `suppress` property (policies/guard/define.py adds it)."""

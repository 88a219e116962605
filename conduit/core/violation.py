"""A policy violation as data, and how it crosses the analyzer protocol to Conduit.

The protocol carries one message string per violation. Under `pulumi preview --policy-pack` the
message is a readable sentence followed by its fix. When Conduit starts the pack it sets
`STRUCTURED_ENV`; the pack then sends the sentence alone and one more line, `TAIL` + JSON, with
the same facts as data (the properties judged, observed and required values, the fix, and
whether the rule itself crashed). Conduit reads that line; it never parses the sentence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

STRUCTURED_ENV = "CONDUIT_STRUCTURED_FINDINGS"
TAIL = "\nconduit-finding: "
INSPECTS = "inspects:"
SECURITY = "category:security"
"""The tag of a rule about exposure, credentials or access (SARIF security-severity)."""
"""Tag prefix by which a resource policy names each type it inspects (reports count cases)."""


@dataclass(frozen=True)
class Violation:
    """One violation of one rule.

    Property paths are dotted as the rules read them, list indices left out and env vars by
    name (`template.containers.envs.DATABASE_POOL_SIZE`), so a path names what the program set.
    """

    message: str
    paths: tuple[str, ...] = ()
    """Properties of the subject the rule judged, the one to change first."""
    observed: Any = None
    required: Any = None
    remediation: str = ""
    """This violation's fix; the guard fills in the rule's when empty."""
    urn: str | None = None
    """Stack rules: the resource the violation is about."""
    related: tuple[tuple[str, ...], ...] = ()
    """(urn, path) or (urn, path, note) of properties that take part (e.g. each service's pool).
    With no `paths`, the first is the one to change first: the report locates the finding there
    and lists the others, with their notes, as related locations."""
    error: bool = False
    """The rule itself raised: `message` names the exception."""


def readable(violation: Violation) -> str:
    """The message for the Pulumi CLI: the sentence and its fix."""
    return f"{violation.message} Fix: {violation.remediation}"


def encode(violation: Violation) -> str:
    """The sentence and the data line, for Conduit."""
    data = {
        "paths": list(violation.paths),
        "observed": violation.observed,
        "required": violation.required,
        "remediation": violation.remediation,
        "related": [list(pair) for pair in violation.related],
        "error": violation.error,
    }
    return violation.message + TAIL + json.dumps(data, default=str, sort_keys=True)


def decode(text: str, urn: str | None = None) -> Violation | None:
    """The violation a structured message carries; None for a message without the data line
    (the SDK's own diagnostics, or a pack not started by Conduit)."""
    message, found, tail = text.rpartition(TAIL)
    if not found:
        return None
    try:
        data = json.loads(tail)
    except json.JSONDecodeError:
        return None
    return Violation(
        message=message,
        paths=tuple(data.get("paths", ())),
        observed=data.get("observed"),
        required=data.get("required"),
        remediation=data.get("remediation", ""),
        urn=urn,
        related=tuple(tuple(pair) for pair in data.get("related", ())),
        error=bool(data.get("error")),
    )

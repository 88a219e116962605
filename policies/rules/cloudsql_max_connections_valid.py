"""cloudsql-max-connections-valid: the max_connections flag is a whole number PostgreSQL accepts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import UNKNOWN, at, items, known

RESOURCE_TYPE = "gcp:sql/databaseInstance:DatabaseInstance"
POSTGRES_MAX_BACKENDS = 262143
FLAG = "settings.databaseFlags.max_connections"
REMEDIATION = (
    f"Set the max_connections flag once, to a whole number from {facts.MAX_CONNECTIONS_FLAG_MIN} "
    "up, sized from the connection budget (or drop it to keep the tier's default)."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    values = [
        at(flag, "value", str)
        for flag in items(props, "settings.databaseFlags")
        if flag is not UNKNOWN
        and isinstance(flag, Mapping)
        and at(flag, "name", str) == "max_connections"
    ]
    if len(values) > 1:
        yield Violation(f"max_connections is set {len(values)} times.", (FLAG,), len(values), 1)
    for value in values:
        if not known(value):
            continue
        if not value.isdigit():
            yield Violation(
                f"max_connections {value!r} is not a whole number.",
                (FLAG,),
                value,
                "a whole number",
            )
        elif not facts.MAX_CONNECTIONS_FLAG_MIN <= int(value) <= POSTGRES_MAX_BACKENDS:
            allowed = f"{facts.MAX_CONNECTIONS_FLAG_MIN}-{POSTGRES_MAX_BACKENDS}"
            yield Violation(
                f"max_connections {value} is outside {allowed}.", (FLAG,), int(value), allowed
            )


POLICY = resource_policy(
    name="cloudsql-max-connections-valid",
    description="Cloud SQL's max_connections flag must be a valid whole number, set once.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.MEDIUM,
    remediation=REMEDIATION,
)

_FLAGS = "settings.databaseFlags"


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _flag(value: object) -> list[object]:
    return [{"name": "max_connections", "value": value}]


def _outside(value: int) -> Bad:
    return Bad(
        changed(samples.instance(), _FLAGS, _flag(str(value))),
        (
            Want(
                f"max_connections {value} is outside 14-262143.",
                ("settings.databaseFlags.max_connections",),
                value,
                "14-262143",
            ),
        ),
    )


# pragma: no mutate end

EXAMPLES = Examples(
    good=[
        samples.instance(),
        changed(samples.instance(), _FLAGS, None),
        # At the limits PostgreSQL accepts.
        changed(samples.instance(), _FLAGS, _flag("14")),
        changed(samples.instance(), _FLAGS, _flag("262143")),
        # A value unknown at preview is not judged; neither is a flag unknown at preview or
        # not an object beside the one that is set.
        changed(samples.instance(), _FLAGS, _flag(samples.UNKNOWN)),
        changed(samples.instance(), _FLAGS, [samples.UNKNOWN, "max_connections", *_flag("400")]),
        # Another flag beside it is not max_connections, whatever its value.
        changed(
            samples.instance(), _FLAGS, [{"name": "log_connections", "value": "on"}, *_flag("400")]
        ),
    ],
    bad=[
        # One step past each limit.
        _outside(13),
        _outside(262144),
        # A value unknown at preview before an invalid one: set twice, and the second judged.
        Bad(
            changed(samples.instance(), _FLAGS, [*_flag(samples.UNKNOWN), *_flag("10")]),
            (
                Want(
                    "max_connections is set 2 times.",
                    ("settings.databaseFlags.max_connections",),
                    2,
                    1,
                ),
                Want(
                    "max_connections 10 is outside 14-262143.",
                    ("settings.databaseFlags.max_connections",),
                    10,
                    "14-262143",
                ),
            ),
        ),
        Bad(
            changed(samples.instance(), _FLAGS, [{"name": "max_connections", "value": "10"}]),
            (
                Want(
                    "max_connections 10 is outside 14-262143.",
                    ("settings.databaseFlags.max_connections",),
                    10,
                    "14-262143",
                ),
            ),
        ),
        Bad(
            changed(samples.instance(), _FLAGS, [{"name": "max_connections", "value": "lots"}]),
            (
                Want(
                    "max_connections 'lots' is not a whole number.",
                    ("settings.databaseFlags.max_connections",),
                    "lots",
                    "a whole number",
                ),
            ),
        ),
        Bad(
            changed(
                samples.instance(),
                _FLAGS,
                [
                    {"name": "max_connections", "value": "100"},
                    {"name": "max_connections", "value": "200"},
                ],
            ),
            (
                Want(
                    "max_connections is set 2 times.",
                    ("settings.databaseFlags.max_connections",),
                    2,
                    1,
                ),
            ),
        ),
    ],
)

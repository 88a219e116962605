"""cloudsql-audit-logging: a PostgreSQL instance logs connections, disconnections, checkpoints and
lock waits, has pgAudit on, and keeps statements (and the values in them) out of its logs.

Each flag as Checkov and Trivy define it (conduit/core/facts.py POSTGRES_AUDIT_FLAGS):
log_connections CKV_GCP_52 / AVD-GCP-0016, log_disconnections CKV_GCP_53 / AVD-GCP-0022,
log_checkpoints CKV_GCP_51 / AVD-GCP-0025, log_lock_waits CKV_GCP_54 / AVD-GCP-0020,
cloudsql.enable_pgaudit CKV_GCP_110, log_min_duration_statement -1 CKV_GCP_57 / AVD-GCP-0021.
As in Checkov, an absent flag fails, except log_min_duration_statement, whose default is -1.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import UNKNOWN, at, items, known

RESOURCE_TYPE = "gcp:sql/databaseInstance:DatabaseInstance"
FLAGS = "settings.databaseFlags"
REMEDIATION = (
    "Set the database flags log_connections, log_disconnections, log_checkpoints, "
    "log_lock_waits and cloudsql.enable_pgaudit to on, and leave log_min_duration_statement "
    "at -1 (Conduit's Database component sets them)."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    version = at(props, "databaseVersion", str)
    if not known(version) or not version.startswith("POSTGRES"):
        return
    flags: dict[str, Any] = {}
    for flag in items(props, FLAGS):
        if flag is UNKNOWN:
            return
        flags.setdefault(at(flag, "name", str), at(flag, "value", str))
    for name, wanted in facts.POSTGRES_AUDIT_FLAGS.items():
        value = flags.get(name)
        if value is UNKNOWN:
            continue
        if value is None:
            yield Violation(
                f"flag {name} is not set (must be {wanted}).", (f"{FLAGS}.{name}",), None, wanted
            )
        elif value.lower() != wanted:
            yield Violation(
                f"flag {name} is {value} (must be {wanted}).", (f"{FLAGS}.{name}",), value, wanted
            )
    name = facts.POSTGRES_STATEMENT_LOGGING_FLAG
    value = flags.get(name)
    off = facts.POSTGRES_STATEMENT_LOGGING_OFF
    if known(value) and value.strip() != off:  # type: ignore[union-attr]  # known: not None
        yield Violation(
            f"flag {name} is {value}: statements and the values in them reach the logs.",
            (f"{FLAGS}.{name}",),
            value,
            off,
        )


POLICY = resource_policy(
    name="cloudsql-audit-logging",
    description="Cloud SQL for PostgreSQL logs sessions, checkpoints and lock waits, with pgAudit.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.MEDIUM,
    remediation=REMEDIATION,
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _instance(**flags: str) -> dict[str, Any]:
    props = samples.instance()
    props["settings"]["databaseFlags"] = [
        {"name": "max_connections", "value": "400"},
        *({"name": k, "value": v} for k, v in {**facts.POSTGRES_AUDIT_FLAGS, **flags}.items()),
    ]
    return props


def _without(name: str) -> dict[str, Any]:
    props = _instance()
    props["settings"]["databaseFlags"] = [
        f for f in props["settings"]["databaseFlags"] if f["name"] != name
    ]
    return props


# pragma: no mutate end


_P = FLAGS
EXAMPLES = Examples(
    good=[
        _instance(),
        _instance(log_connections="ON", log_min_duration_statement="-1"),
        _instance(log_min_duration_statement=" -1"),
        changed(_without("log_connections"), "databaseVersion", "MYSQL_8_0"),
        # A flag unknown at preview could be the missing one: not judged.
        changed(_without("log_connections"), f"{_P}.1", samples.UNKNOWN),
    ],
    bad=[
        Bad(
            _without("log_connections"),
            (
                Want(
                    "flag log_connections is not set (must be on).",
                    (f"{_P}.log_connections",),
                    None,
                    "on",
                ),
            ),
        ),
        Bad(
            _instance(log_disconnections="off"),
            (
                Want(
                    "flag log_disconnections is off (must be on).",
                    (f"{_P}.log_disconnections",),
                    "off",
                    "on",
                ),
            ),
        ),
        Bad(
            _without("log_checkpoints"),
            (
                Want(
                    "flag log_checkpoints is not set (must be on).",
                    (f"{_P}.log_checkpoints",),
                    None,
                    "on",
                ),
            ),
        ),
        Bad(
            _instance(log_lock_waits="off"),
            (
                Want(
                    "flag log_lock_waits is off (must be on).",
                    (f"{_P}.log_lock_waits",),
                    "off",
                    "on",
                ),
            ),
        ),
        # log_connections unknown at preview comes first: the next flag is still judged.
        Bad(
            changed(_without("cloudsql.enable_pgaudit"), f"{_P}.1.value", samples.UNKNOWN),
            (
                Want(
                    "flag cloudsql.enable_pgaudit is not set (must be on).",
                    (f"{_P}.cloudsql.enable_pgaudit",),
                    None,
                    "on",
                ),
            ),
        ),
        Bad(
            _instance(log_min_duration_statement="0"),
            (
                Want(
                    "flag log_min_duration_statement is 0: statements and the values in them "
                    "reach the logs.",
                    (f"{_P}.log_min_duration_statement",),
                    "0",
                    "-1",
                ),
            ),
        ),
        # The instance the provider defaults to: no flag at all.
        Bad(
            changed(samples.instance(), "settings.databaseFlags", None),
            tuple(
                Want(f"flag {n} is not set (must be {v}).", (f"{_P}.{n}",), None, v)
                for n, v in facts.POSTGRES_AUDIT_FLAGS.items()
            ),
        ),
    ],
)

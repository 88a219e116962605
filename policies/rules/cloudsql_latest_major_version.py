"""cloudsql-latest-major-version: advisory, a PostgreSQL instance on the latest major version.

Covers Checkov CKV_GCP_79 (CloudSqlMajorVersion: POSTGRES_18 for PostgreSQL), advisory because a
major upgrade is a migration (`gcloud sql instances patch --database-version`), not a flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = "gcp:sql/databaseInstance:DatabaseInstance"
POSTGRES = re.compile(r"^POSTGRES_(\d+)$")
REMEDIATION = (
    "Plan a major-version upgrade of the instance (conduit:database.version) after testing "
    "the app against it; raise latestMajor in the policy config when Cloud SQL ships a newer one."
)


def check(props: Any, config: Config) -> Iterator[Violation]:
    version = at(props, "databaseVersion", str)
    match = POSTGRES.match(version) if known(version) else None
    if match is None:
        return
    latest = config["latestMajor"]
    if int(match.group(1)) < latest:
        yield Violation(
            f"databaseVersion {version} is older than POSTGRES_{latest}.",
            ("databaseVersion",),
            version,
            f"POSTGRES_{latest}",
        )


POLICY = resource_policy(
    name="cloudsql-latest-major-version",
    description="Cloud SQL for PostgreSQL runs the latest major version.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.LOW,
    remediation=REMEDIATION,
    enforcement=EnforcementLevel.ADVISORY,
    defaults={"latestMajor": facts.POSTGRES_LATEST_MAJOR},
    schema={"latestMajor": {"type": "integer", "minimum": 9}},
)

_V = "databaseVersion"
EXAMPLES = Examples(
    good=[
        changed(samples.instance(), _V, "POSTGRES_18"),
        changed(samples.instance(), _V, "POSTGRES_19"),
        changed(samples.instance(), _V, "MYSQL_8_0"),
        changed(samples.instance(), _V, None),
    ],
    bad=[
        Bad(
            changed(samples.instance(), _V, "POSTGRES_17"),
            (
                Want(
                    "databaseVersion POSTGRES_17 is older than POSTGRES_18.",
                    (_V,),
                    "POSTGRES_17",
                    "POSTGRES_18",
                ),
            ),
        ),
        Bad(
            changed(samples.instance(), _V, "POSTGRES_18"),
            (
                Want(
                    "databaseVersion POSTGRES_18 is older than POSTGRES_19.",
                    (_V,),
                    "POSTGRES_18",
                    "POSTGRES_19",
                ),
            ),
            config={"latestMajor": 19},
        ),
    ],
)

"""cloudsql-edition-matches-tier: ENTERPRISE_PLUS (default from POSTGRES_16) rejects these tiers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import at, known

RESOURCE_TYPE = "gcp:sql/databaseInstance:DatabaseInstance"
REMEDIATION = (
    "Set settings.edition to ENTERPRISE, or use an ENTERPRISE_PLUS (db-perf-optimized) tier."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    tier = at(props, "settings.tier", str)
    version = at(props, "databaseVersion", str)
    edition = at(props, "settings.edition", str)
    if not (known(tier) and known(version)) or (edition is not None and not known(edition)):
        return
    effective = facts.effective_edition(version, edition)
    shared_or_custom = tier in facts.SHARED_CORE_TIERS_MEMORY_GB or tier.startswith("db-custom-")
    if effective == "ENTERPRISE_PLUS" and shared_or_custom:
        how = "set" if edition else f"the default for {version}"
        yield Violation(
            f"edition ENTERPRISE_PLUS ({how}) rejects tier {tier}: create fails with "
            "'Invalid Tier'.",
            ("settings.edition", "settings.tier"),
            effective,
            "ENTERPRISE",
        )


POLICY = resource_policy(
    name="cloudsql-edition-matches-tier",
    description="Cloud SQL's edition must accept its tier.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

_PG16 = changed(samples.instance(), "databaseVersion", "POSTGRES_16")
_PG16_DEFAULT = changed(_PG16, "settings.edition", None)
EXAMPLES = Examples(
    good=[
        samples.instance(),
        _PG16,
        # ENTERPRISE_PLUS by default with a tier of its own (db-perf-optimized): accepted.
        changed(_PG16_DEFAULT, "settings.tier", "db-perf-optimized-N-2"),
        # A tier, a version or an edition unknown at preview: not judged.
        changed(_PG16_DEFAULT, "settings.tier", samples.UNKNOWN),
        changed(
            changed(samples.instance(), "settings.edition", "ENTERPRISE_PLUS"),
            "databaseVersion",
            samples.UNKNOWN,
        ),
        changed(_PG16_DEFAULT, "settings.edition", samples.UNKNOWN),
        changed(_PG16_DEFAULT, "settings.edition", samples.UNKNOWN),
    ],
    bad=[
        # A shared-core tier is rejected as a custom one is.
        Bad(
            changed(_PG16_DEFAULT, "settings.tier", "db-g1-small"),
            (
                Want(
                    (
                        "edition ENTERPRISE_PLUS (the default for POSTGRES_16) rejects tier "
                        "db-g1-small: create fails with 'Invalid Tier'."
                    ),
                    ("settings.edition", "settings.tier"),
                    "ENTERPRISE_PLUS",
                    "ENTERPRISE",
                ),
            ),
        ),
        Bad(
            changed(_PG16, "settings.edition", None),
            (
                Want(
                    (
                        "edition ENTERPRISE_PLUS (the default for POSTGRES_16) rejects tier "
                        "db-custom-2-7680: create fails with 'Invalid Tier'."
                    ),
                    ("settings.edition", "settings.tier"),
                    "ENTERPRISE_PLUS",
                    "ENTERPRISE",
                ),
            ),
        ),
        Bad(
            changed(samples.instance(), "settings.edition", "ENTERPRISE_PLUS"),
            (
                Want(
                    (
                        "edition ENTERPRISE_PLUS (set) rejects tier db-custom-2-7680: create fails "
                        "with 'Invalid Tier'."
                    ),
                    ("settings.edition", "settings.tier"),
                    "ENTERPRISE_PLUS",
                    "ENTERPRISE",
                ),
            ),
        ),
    ],
)

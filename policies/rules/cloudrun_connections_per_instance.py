"""cloudrun-connections-per-instance: the pool fits the built-in Cloud SQL connection's cap."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE, pool, pool_absent, uses_cloud_sql_volume
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Of, Want, changed

RESOURCE_TYPE = SERVICE
POOL_SIZE = "template.containers.envs.DATABASE_POOL_SIZE"
POOL_OVERFLOW = "template.containers.envs.DATABASE_MAX_OVERFLOW"
CAP = facts.CLOUD_SQL_CONNECTIONS_PER_RUN_INSTANCE
REMEDIATION = (
    f"Keep DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW <= {CAP} per instance (Cloud Run's cap "
    "for the built-in Cloud SQL connection), or connect to the private IP without the volume."
)


def check(props: Any, _config: Config) -> Iterator[Violation]:
    if not uses_cloud_sql_volume(props):
        return
    if pool_absent(props):
        # No pool declared is not no connections: the cap cannot be checked, and says so.
        yield Violation(
            "the service mounts Cloud SQL's built-in connection but declares no "
            f"DATABASE_POOL_SIZE: its connections per instance cannot be checked against {CAP}.",
            (POOL_SIZE,),
            required=f"DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW <= {CAP}",
        )
        return
    sizes = pool(props)
    per_instance = sum(sizes) if sizes is not None else 0
    if per_instance > CAP:
        yield Violation(
            f"each instance may open {per_instance} connections but the built-in Cloud SQL "
            f"connection allows {CAP}.",
            (POOL_SIZE, POOL_OVERFLOW),
            per_instance,
            f"<= {CAP}",
        )


POLICY = resource_policy(
    name="cloudrun-connections-per-instance",
    description=f"A Cloud Run instance opens at most {CAP} connections per Cloud SQL instance.",
    resource_types=(SERVICE, SERVICE_V1),
    check=check,
    severity=Severity.HIGH,
    remediation=REMEDIATION,
)

EXAMPLES = Examples(
    good=[
        samples.service(),
        changed(
            samples.env_value(samples.service(), "DATABASE_POOL_SIZE", "150"),
            "template.volumes",
            [],
        ),
        Of(SERVICE_V1, samples.service_v1()),
        # A pool unknown at preview is set, not absent: not judged.
        samples.env_value(samples.service(), "DATABASE_POOL_SIZE", samples.UNKNOWN),
        # No cloudsql-instances annotation: the built-in connection's cap does not apply.
        Of(
            SERVICE_V1,
            samples.v1_annotation(
                samples.v1_env_value(samples.service_v1(), "DATABASE_POOL_SIZE", "150"),
                "run.googleapis.com/cloudsql-instances",
                None,
            ),
        ),
    ],
    bad=[
        # No pool declared, on v2 and v1: said, never counted as no connections.
        *(
            Bad(
                subject,
                (
                    Want(
                        "the service mounts Cloud SQL's built-in connection but declares no "
                        "DATABASE_POOL_SIZE: its connections per instance cannot be checked "
                        "against 100.",
                        (path,),
                        None,
                        "DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW <= 100",
                    ),
                ),
            )
            for subject, path in (
                (
                    samples.env_value(samples.service(), "DATABASE_POOL_SIZE", None),
                    "template.containers.envs.DATABASE_POOL_SIZE",
                ),
                (
                    Of(
                        SERVICE_V1,
                        samples.v1_env_value(samples.service_v1(), "DATABASE_POOL_SIZE", None),
                    ),
                    "template.spec.containers.envs.DATABASE_POOL_SIZE",
                ),
            )
        ),
        Bad(
            samples.env_value(samples.service(), "DATABASE_POOL_SIZE", "95"),
            (
                Want(
                    (
                        "each instance may open 105 connections but the built-in Cloud SQL "
                        "connection allows 100."
                    ),
                    (
                        "template.containers.envs.DATABASE_POOL_SIZE",
                        "template.containers.envs.DATABASE_MAX_OVERFLOW",
                    ),
                    105,
                    "<= 100",
                ),
            ),
        ),
        Bad(
            samples.env_value(samples.service(), "DATABASE_POOL_SIZE", "many"),
            (
                Want(
                    (
                        "malformed properties: env DATABASE_POOL_SIZE should be a whole number, "
                        "got 'many'."
                    ),
                    (),
                ),
            ),
        ),
        Bad(
            Of(SERVICE_V1, samples.v1_env_value(samples.service_v1(), "DATABASE_POOL_SIZE", "95")),
            (
                Want(
                    (
                        "each instance may open 105 connections but the built-in Cloud SQL "
                        "connection allows 100."
                    ),
                    (
                        "template.spec.containers.envs.DATABASE_POOL_SIZE",
                        "template.spec.containers.envs.DATABASE_MAX_OVERFLOW",
                    ),
                    105,
                    "<= 100",
                ),
            ),
        ),
    ],
)

"""cloudrun-secrets-by-reference: no credential in a literal environment value."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import Severity

from conduit.core import facts
from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.cloudrun import SERVICE, containers
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want
from policies.guard.props import env_vars, known

RESOURCE_TYPE = SERVICE
CREDENTIAL_NAME = facts.CREDENTIAL_NAME
CREDENTIAL_CONTENT = re.compile(
    r"://[^/\s:@]+:[^/\s@]+@|-----BEGIN [A-Z ]*PRIVATE KEY-----|\"private_key\"\s*:"
)
REMEDIATION = (
    "Store the value in Secret Manager and reference it with valueSource.secretKeyRef "
    "(add it to conduit:secrets)."
)


def check(props: Any, config: Config) -> Iterator[Violation]:
    allowed = set(config["allowedNames"])
    for index, container in enumerate(containers(props)):
        for name, value in env_vars(container).items():
            if name in allowed or not known(value) or value == "":
                continue
            # Never echo the value: it may be the credential.
            if CREDENTIAL_NAME.search(name):
                yield Violation(
                    f"container {index}: env {name} looks like a credential but is a literal "
                    "value.",
                    (f"template.containers.envs.{name}",),
                )
            elif CREDENTIAL_CONTENT.search(value):
                yield Violation(
                    f"container {index}: env {name} holds credential-like content in clear text.",
                    (f"template.containers.envs.{name}",),
                )


POLICY = resource_policy(
    name="cloudrun-secrets-by-reference",
    description="Credentials reach Cloud Run only by Secret Manager reference.",
    resource_types=(SERVICE,),
    check=check,
    severity=Severity.CRITICAL,
    remediation=REMEDIATION,
    defaults={"allowedNames": []},
    schema={"allowedNames": {"type": "array", "items": {"type": "string"}}},
)

EXAMPLES = Examples(
    good=[samples.service(), samples.env_value(samples.service(), "CACHE_KEY_PREFIX", "v1")],
    good_config={"allowedNames": ["CACHE_KEY_PREFIX"]},
    bad=[
        Bad(
            samples.env_value(samples.service(), "JWT_SECRET", "hunter2"),
            (
                Want(
                    ("container 0: env JWT_SECRET looks like a credential but is a literal value."),
                    ("template.containers.envs.JWT_SECRET",),
                ),
            ),
        ),
        Bad(
            samples.env_value(
                samples.service(), "DATABASE_URL", "postgresql://app:s3cr3t@10.60.0.3/app"
            ),
            (
                Want(
                    ("container 0: env DATABASE_URL holds credential-like content in clear text."),
                    ("template.containers.envs.DATABASE_URL",),
                ),
            ),
        ),
        Bad(
            samples.env_value(samples.service(), "API_TOKEN", "abc"),
            (
                Want(
                    "container 0: env API_TOKEN looks like a credential but is a literal value.",
                    ("template.containers.envs.API_TOKEN",),
                ),
            ),
        ),
    ],
)

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
from policies.guard.cloudrun_v1 import SERVICE_V1
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Of, Want
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
            if name in allowed or value == "":
                continue
            # Never echo the value: it may be the credential. A literal value unknown at preview
            # (a secret Output, an undecrypted config secret) still lands in the service's spec in
            # clear: the name alone decides.
            if CREDENTIAL_NAME.search(name):
                yield Violation(
                    f"container {index}: env {name} looks like a credential but is a literal "
                    "value.",
                    (f"template.containers.envs.{name}",),
                )
            elif known(value) and CREDENTIAL_CONTENT.search(value):
                yield Violation(
                    f"container {index}: env {name} holds credential-like content in clear text.",
                    (f"template.containers.envs.{name}",),
                )


POLICY = resource_policy(
    name="cloudrun-secrets-by-reference",
    description="Credentials reach Cloud Run only by Secret Manager reference.",
    resource_types=(SERVICE, SERVICE_V1),
    check=check,
    severity=Severity.CRITICAL,
    security=True,
    remediation=REMEDIATION,
    defaults={"allowedNames": []},
    schema={"allowedNames": {"type": "array", "items": {"type": "string"}}},
)

EXAMPLES = Examples(
    good=[
        samples.service(),
        samples.env_value(samples.service(), "CACHE_KEY_PREFIX", "v1"),
        Of(SERVICE_V1, samples.service_v1()),
        # Unknown at preview with no credential's name: its content cannot be judged.
        samples.env_value(samples.service(), "DATABASE_URL", samples.UNKNOWN),
        # An empty value holds no credential, whatever its name.
        samples.env_value(samples.service(), "SMTP_PASSWORD", ""),
    ],
    good_config={"allowedNames": ["CACHE_KEY_PREFIX"]},
    bad=[
        # An allowed name and an empty value come first: the next is still judged.
        Bad(
            samples.env_value(
                samples.env_value(
                    samples.env_value(samples.service(), "CACHE_KEY_PREFIX", "v1"),
                    "SMTP_PASSWORD",
                    "",
                ),
                "JWT_SECRET",
                "hunter2",
            ),
            (
                Want(
                    "container 0: env JWT_SECRET looks like a credential but is a literal value.",
                    ("template.containers.envs.JWT_SECRET",),
                ),
            ),
            {"allowedNames": ["CACHE_KEY_PREFIX"]},
        ),
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
        Bad(
            Of(SERVICE_V1, samples.v1_env_value(samples.service_v1(), "JWT_SECRET", "hunter2")),
            (
                Want(
                    "container 0: env JWT_SECRET looks like a credential but is a literal value.",
                    ("template.spec.containers.envs.JWT_SECRET",),
                ),
            ),
        ),
        # A secret Output (or an undecrypted config secret) as a plain value is still in clear.
        Bad(
            samples.env_value(samples.service(), "DATABASE_PASSWORD", samples.UNKNOWN),
            (
                Want(
                    "container 0: env DATABASE_PASSWORD looks like a credential but is a literal "
                    "value.",
                    ("template.containers.envs.DATABASE_PASSWORD",),
                ),
            ),
        ),
    ],
)

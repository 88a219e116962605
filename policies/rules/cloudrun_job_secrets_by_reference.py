"""cloudrun-job-secrets-by-reference: no credential in a job's literal env values or arguments.

Jobs are judged as services are (cloudrun-secrets-by-reference), and their arguments too: a
`--dsn postgresql://app:PASSWORD@...` or `--password X` is stored in the job's spec, readable by
anyone with run.jobs.get, and printed by `gcloud run jobs describe`. Checkov's CKV_SECRET_* and
Trivy's secret scanning find such strings in files; this finds them in the plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from pulumi_policy import Severity

from conduit.core.violation import Violation
from policies.guard import samples
from policies.guard.define import Config, resource_policy
from policies.guard.examples import Bad, Examples, Want, changed
from policies.guard.props import UNKNOWN, at, env_vars, items, known
from policies.rules.cloudrun_secrets_by_reference import CREDENTIAL_CONTENT, CREDENTIAL_NAME

RESOURCE_TYPE = "gcp:cloudrunv2/job:Job"
CONTAINERS = "template.template.containers"
URL_WITH_PASSWORD = re.compile(r"://[^/\s@]*:[^/\s@]+@")
"""A URL with a password, Redis's empty user (`rediss://:AUTH@host`) included."""
CREDENTIAL_FLAG = re.compile(r"^--?[a-z-]*(password|passwd|secret|token|credential)[a-z-]*$", re.I)
REMEDIATION = (
    "Store the value in Secret Manager and reference it with valueSource.secretKeyRef; give "
    "the probe its password by DATABASE_PASSWORD from the secret, never in --dsn or args."
)


def _arg_findings(index: int, args: list[Any]) -> Iterator[Violation]:
    for position, arg in enumerate(args):
        if not isinstance(arg, str):
            continue
        flag, equals, value = arg.partition("=")
        after = args[position + 1] if position + 1 < len(args) else None
        # Never echo the argument: it may be the credential.
        if CREDENTIAL_FLAG.match(flag) and (
            (equals and value) or (not equals and isinstance(after, str))
        ):
            yield Violation(
                f"container {index}: argument {position} ({flag}) passes a credential in clear "
                "text.",
                (f"{CONTAINERS}.args.{position}",),
            )
        elif URL_WITH_PASSWORD.search(arg) or CREDENTIAL_CONTENT.search(arg):
            yield Violation(
                f"container {index}: argument {position} holds a credential in clear text.",
                (f"{CONTAINERS}.args.{position}",),
            )


def check(props: Any, config: Config) -> Iterator[Violation]:
    allowed = set(config["allowedNames"])
    containers = [c for c in items(props, CONTAINERS) if c is not UNKNOWN]
    for index, container in enumerate(containers):
        for name, value in env_vars(container).items():
            if name in allowed or not known(value) or value == "":
                continue
            if CREDENTIAL_NAME.search(name):
                yield Violation(
                    f"container {index}: env {name} looks like a credential but is a literal "
                    "value.",
                    (f"{CONTAINERS}.envs.{name}",),
                )
            elif URL_WITH_PASSWORD.search(value) or CREDENTIAL_CONTENT.search(value):
                yield Violation(
                    f"container {index}: env {name} holds credential-like content in clear text.",
                    (f"{CONTAINERS}.envs.{name}",),
                )
        if known(at(container, "args", Sequence)):
            yield from _arg_findings(index, items(container, "args"))


POLICY = resource_policy(
    name="cloudrun-job-secrets-by-reference",
    description="Credentials reach Cloud Run jobs only by Secret Manager reference.",
    resource_types=(RESOURCE_TYPE,),
    check=check,
    severity=Severity.CRITICAL,
    security=True,
    remediation=REMEDIATION,
    defaults={"allowedNames": []},
    schema={"allowedNames": {"type": "array", "items": {"type": "string"}}},
)


# Examples: test data, not the rule, so mutation testing leaves them alone.
# pragma: no mutate start
def _job(args: list[str] | None = None, **env: str) -> dict[str, Any]:
    job = samples.job()
    container = job["template"]["template"]["containers"][0]
    container["envs"] = [
        {"name": "DATABASE_HOST", "value": "10.60.0.3"},
        {
            "name": "DATABASE_PASSWORD",
            "valueSource": {"secretKeyRef": {"secret": "staging-db-password", "version": "latest"}},
        },
        *({"name": k, "value": v} for k, v in env.items()),
    ]
    if args is not None:
        container["args"] = args
    return job


# pragma: no mutate end


_A = f"{CONTAINERS}.args"
EXAMPLES = Examples(
    good=[
        _job(["probe", "--connections", "1", "--dsn", "postgresql://app@10.60.0.3/app"]),
        _job(["probe", "--redis"], CACHE_KEY_PREFIX="v1", EMPTY_TOKEN=""),
        # A credential flag with nothing after it is not a credential, nor one with an empty
        # value before the next argument.
        _job(["probe", "--id-token"]),
        _job(["probe", "--password=", "--connections"]),
        # A container or a plain value unknown at preview: not judged.
        changed(
            _job(),
            "template.template.containers",
            [samples.UNKNOWN, *_job()["template"]["template"]["containers"]],
        ),
        _job(DATABASE_URL=samples.UNKNOWN),
    ],
    good_config={"allowedNames": ["CACHE_KEY_PREFIX"]},
    bad=[
        Bad(
            _job(DATABASE_PASSWORD_PLAIN="hunter2"),
            (
                Want(
                    "container 0: env DATABASE_PASSWORD_PLAIN looks like a credential but is a "
                    "literal value.",
                    (f"{CONTAINERS}.envs.DATABASE_PASSWORD_PLAIN",),
                ),
            ),
        ),
        Bad(
            _job(CONDUIT_REDIS_URL="rediss://:s3cr3t@10.60.1.4:6378/0"),
            (
                Want(
                    "container 0: env CONDUIT_REDIS_URL holds credential-like content in clear "
                    "text.",
                    (f"{CONTAINERS}.envs.CONDUIT_REDIS_URL",),
                ),
            ),
        ),
        Bad(
            _job(["probe", "--dsn", "postgresql://app:hunter2@10.60.0.3/app"]),
            (
                Want(
                    "container 0: argument 2 holds a credential in clear text.",
                    (f"{_A}.2",),
                ),
            ),
        ),
        Bad(
            _job(["probe", "--password", "hunter2", "--api-token=abc"]),
            (
                Want(
                    "container 0: argument 1 (--password) passes a credential in clear text.",
                    (f"{_A}.1",),
                ),
                Want(
                    "container 0: argument 3 (--api-token) passes a credential in clear text.",
                    (f"{_A}.3",),
                ),
            ),
        ),
        # An empty value (not judged) before a credential: the next one still counts.
        Bad(
            _job(EMPTY_TOKEN="", DATABASE_PASSWORD_PLAIN="hunter2"),
            (
                Want(
                    "container 0: env DATABASE_PASSWORD_PLAIN looks like a credential but is a "
                    "literal value.",
                    (f"{CONTAINERS}.envs.DATABASE_PASSWORD_PLAIN",),
                ),
            ),
        ),
        # An argument unknown at preview before the credential flag, whose value is the last
        # argument.
        Bad(
            _job(["probe", samples.UNKNOWN, "--password", "hunter2"]),
            (
                Want(
                    "container 0: argument 2 (--password) passes a credential in clear text.",
                    (f"{_A}.2",),
                ),
            ),
        ),
        Bad(
            _job(["probe", "--key-file", "-----BEGIN PRIVATE KEY-----"]),
            (Want("container 0: argument 2 holds a credential in clear text.", (f"{_A}.2",)),),
        ),
        # A key in clear in an env var, and a Redis URL with its password as an argument.
        Bad(
            _job(
                ["probe", "rediss://:s3cr3t@10.60.1.4:6378/0"],
                TLS_MATERIAL="-----BEGIN PRIVATE KEY-----",
            ),
            (
                Want(
                    "container 0: env TLS_MATERIAL holds credential-like content in clear text.",
                    (f"{CONTAINERS}.envs.TLS_MATERIAL",),
                ),
                Want("container 0: argument 1 holds a credential in clear text.", (f"{_A}.1",)),
            ),
        ),
    ],
)

"""secrets-resolvable: every secret the service references has an enabled latest version.

Reads version metadata only; the secret payload is never accessed.
"""

from __future__ import annotations

from conduit.core.check_ids import CheckId
from conduit.core.failures import FailureClass
from conduit.report.model import Finding, Outcome
from conduit.validate.context import Context, skipped
from conduit.validate.google import api_failure, no_credentials

ID = CheckId.SECRETS_RESOLVABLE
DESCRIPTION = "Every secret the service references has an enabled latest version."
ROLES = ("roles/secretmanager.viewer",)
"""What the validator's account needs for this check (metadata, never a payload)."""


def run(ctx: Context) -> list[Finding]:
    from google.cloud import secretmanager

    t = ctx.targets
    if not (t.project and t.secret_ids):
        return skipped(ID, t.missing(project=t.project, secretIds=t.secret_ids))
    findings = []
    for env_name, secret_id in sorted(t.secret_ids.items()):
        name = f"projects/{t.project}/secrets/{secret_id}/versions/latest"
        try:
            version = ctx.google.secrets.get_secret_version(name=name, timeout=ctx.google.timeout)
        except Exception as error:  # noqa: BLE001 an API failure is a classified finding
            if no_credentials(error):
                # No secret can be read without credentials: once for the check.
                return [api_failure(ID, error, roles=ROLES)]
            findings.append(
                api_failure(
                    ID,
                    error,
                    subject=name,
                    prefix=f"{env_name}: ",
                    roles=ROLES,
                    remediation="Create the secret with a version, or fix its id in "
                    "conduit:secrets.",
                )
            )
            continue
        state = secretmanager.SecretVersion.State(version.state).name
        if state != "ENABLED":
            findings.append(
                Finding(
                    rule=ID,
                    outcome=Outcome.FAIL,
                    subject=name,
                    severity="critical",
                    classification=FailureClass.CONFIGURATION,
                    message=f"{env_name}: latest version is {state}",
                    remediation="Enable a version (or add one) so the revision can read it.",
                )
            )
        else:
            findings.append(
                Finding(
                    rule=ID,
                    outcome=Outcome.PASS,
                    subject=name,
                    message=f"{env_name}: latest version enabled",
                )
            )
    return findings

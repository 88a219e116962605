"""Google's own client libraries, on REST, optionally pointed at one endpoint (an emulator or a
local fake) through client_options."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from google.api_core import exceptions as api_exceptions
from google.api_core.client_options import ClientOptions

from conduit.core.failures import FailureClass
from conduit.report.model import Finding, Outcome


@dataclass
class GoogleClients:
    """Lazily built clients; `endpoint` overrides every API's address (tests, emulators)."""

    endpoint: str | None = None
    timeout: float = 30.0

    def _kwargs(self) -> dict[str, Any]:
        if not self.endpoint:
            return {"transport": "rest"}
        from google.auth.credentials import AnonymousCredentials

        return {
            "transport": "rest",
            "credentials": AnonymousCredentials(),
            "client_options": ClientOptions(api_endpoint=self.endpoint),
        }

    @cached_property
    def services(self):
        from google.cloud import run_v2

        return run_v2.ServicesClient(**self._kwargs())

    @cached_property
    def jobs(self):
        from google.cloud import run_v2

        return run_v2.JobsClient(**self._kwargs())

    @cached_property
    def executions(self):
        from google.cloud import run_v2

        return run_v2.ExecutionsClient(**self._kwargs())

    @cached_property
    def sqladmin(self):
        """Cloud SQL Admin v1 through Google's discovery client, from its bundled document."""
        import google_auth_httplib2
        import httplib2
        from googleapiclient.discovery import build

        if self.endpoint:
            from google.auth.credentials import AnonymousCredentials

            credentials = AnonymousCredentials()
            options = {"api_endpoint": self.endpoint.rstrip("/") + "/"}
        else:
            import google.auth

            credentials, _ = google.auth.default(
                scopes=["https://www.googleapis.com/auth/sqlservice.admin"]
            )
            options = None
        # httplib2 waits forever by default: bound it, so the global deadline holds.
        http = google_auth_httplib2.AuthorizedHttp(
            credentials, http=httplib2.Http(timeout=self.timeout)
        )
        return build("sqladmin", "v1", http=http, static_discovery=True, client_options=options)

    def logging(self, project: str):
        """Cloud Logging's own client, on its HTTP/JSON API (it has no REST GAPIC transport)."""
        from google.cloud import logging as cloud_logging

        if not self.endpoint:
            return cloud_logging.Client(project=project, _use_grpc=False)
        from google.auth.credentials import AnonymousCredentials

        return cloud_logging.Client(
            project=project,
            credentials=AnonymousCredentials(),
            _use_grpc=False,
            client_options={"api_endpoint": self.endpoint},
        )

    @cached_property
    def connectors(self):
        from google.cloud import vpcaccess_v1

        return vpcaccess_v1.VpcAccessServiceClient(**self._kwargs())

    @cached_property
    def secrets(self):
        from google.cloud import secretmanager

        return secretmanager.SecretManagerServiceClient(**self._kwargs())


NO_CREDENTIALS = (
    "The validator has no Google credentials: run `gcloud auth application-default login` where "
    "you run it, or in a workflow authenticate first (google-github-actions/auth with the "
    "workflow's identity); its account needs {roles}."
)
NO_TOKEN = (
    "The validator's credentials could not mint a token: run `gcloud auth application-default "
    "login` again, or check the workflow's identity (its workload identity provider and service "
    "account); its account needs {roles}."
)
DENIED = (
    "Grant the validator's account {roles}: the account that runs `conduit validate` (`gcloud "
    "auth list`; in a workflow, its service account)."
)
NOT_FOUND = "Check that the stack's outputs name a deployed resource (pulumi up, then validate)."
API_DOWN = "Google's API failed on its side: run the validation again; see status.cloud.google.com."


@dataclass(frozen=True)
class ApiFailure:
    """What a failed Google call means: its class, a one-line message and the one remedy."""

    classification: FailureClass
    message: str
    remediation: str


def api_failure(
    rule: str,
    error: Exception,
    *,
    subject: str = "",
    prefix: str = "",
    remediation: str = "",
    roles: tuple[str, ...] = (),
) -> Finding:
    """The finding for a Google API call that failed, classified by its error, with the remedy
    for that class: `remediation` (the check's own, for configuration) or the access remedy
    naming `roles`, the roles the check needs."""
    failure = classify_api_error(error, roles)
    fix = (
        remediation if failure.classification == FailureClass.CONFIGURATION and remediation else ""
    )
    return Finding(
        rule=rule,
        outcome=Outcome.FAIL,
        subject=subject,
        severity="high",
        classification=failure.classification,
        message=f"{prefix}{failure.message}",
        remediation=fix or failure.remediation,
    )


def classify_api_error(error: Exception, roles: tuple[str, ...] = ()) -> ApiFailure:
    """The class, message and remedy of a Google API error (or of the credentials' own)."""
    from google.auth import exceptions as auth_exceptions

    needed = " and ".join(f"`{role}`" for role in roles) or "read access to the stack's resources"
    if isinstance(error, auth_exceptions.DefaultCredentialsError):
        return ApiFailure(
            FailureClass.VALIDATOR_ACCESS,
            f"no Google credentials: {_first_line(str(error))}",
            NO_CREDENTIALS.format(roles=needed),
        )
    if isinstance(error, auth_exceptions.RefreshError | auth_exceptions.TransportError):
        return ApiFailure(
            FailureClass.VALIDATOR_ACCESS,
            f"no access token: {type(error).__name__}: {_first_line(str(error))}",
            NO_TOKEN.format(roles=needed),
        )
    denied = (
        api_exceptions.PermissionDenied
        | api_exceptions.Forbidden
        | api_exceptions.Unauthenticated
        | api_exceptions.Unauthorized
    )
    if isinstance(error, denied):
        return ApiFailure(
            FailureClass.VALIDATOR_ACCESS,
            f"permission denied: {_first_line(error.message)}",
            DENIED.format(roles=needed),
        )
    if isinstance(error, api_exceptions.NotFound):
        return ApiFailure(
            FailureClass.CONFIGURATION, f"not found: {_first_line(error.message)}", NOT_FOUND
        )
    status = getattr(getattr(error, "resp", None), "status", None)  # googleapiclient's HttpError
    if status in (401, 403):
        return ApiFailure(
            FailureClass.VALIDATOR_ACCESS,
            f"permission denied: HTTP {status}",
            DENIED.format(roles=needed),
        )
    if status == 404:
        return ApiFailure(FailureClass.CONFIGURATION, "not found: HTTP 404", NOT_FOUND)
    if status is not None:
        return ApiFailure(FailureClass.INFRASTRUCTURE, f"Google API error {status}", API_DOWN)
    if isinstance(error, api_exceptions.GoogleAPICallError):
        return ApiFailure(
            FailureClass.INFRASTRUCTURE,
            f"Google API error {error.code}: {_first_line(error.message)}",
            API_DOWN,
        )
    return ApiFailure(
        FailureClass.INFRASTRUCTURE, f"{type(error).__name__}: {_first_line(str(error))}", API_DOWN
    )


def no_credentials(error: Exception) -> bool:
    """Whether `error` is the validator having no usable credentials at all (no ADC, no token):
    every call of the run fails alike, so a check reports it once, not per subject."""
    from google.auth import exceptions as auth_exceptions

    return isinstance(
        error,
        auth_exceptions.DefaultCredentialsError
        | auth_exceptions.RefreshError
        | auth_exceptions.TransportError,
    )


def is_access_failure(error: Exception) -> bool:
    """Whether `error` is the validator's own access failing (for checks that raised it)."""
    return classify_api_error(error).classification == FailureClass.VALIDATOR_ACCESS


def _first_line(text: str, limit: int = 200) -> str:
    """One line of an error: a proxy or load balancer may answer with a whole HTML page."""
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."

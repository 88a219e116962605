"""Google's own client libraries, on REST, optionally pointed at one endpoint (an emulator or a
local fake) through client_options."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from google.api_core import exceptions as api_exceptions
from google.api_core.client_options import ClientOptions

from conduit.probe.classify import CONFIGURATION, INFRASTRUCTURE
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


def api_failure(
    rule: str, error: Exception, *, subject: str = "", prefix: str = "", remediation: str = ""
) -> Finding:
    """The finding for a Google API call that failed, classified by its error."""
    classification, message = classify_api_error(error)
    return Finding(
        rule=rule,
        outcome=Outcome.FAIL,
        subject=subject,
        severity="high",
        classification=classification,
        message=f"{prefix}{message}",
        remediation=remediation,
    )


def classify_api_error(error: Exception) -> tuple[str, str]:
    """(classification, message) for a Google API error."""
    denied = (
        api_exceptions.PermissionDenied
        | api_exceptions.Forbidden
        | api_exceptions.Unauthenticated
        | api_exceptions.Unauthorized
    )
    if isinstance(error, denied):
        return CONFIGURATION, f"permission denied: {_first_line(error.message)}"
    if isinstance(error, api_exceptions.NotFound):
        return CONFIGURATION, f"not found: {_first_line(error.message)}"
    status = getattr(getattr(error, "resp", None), "status", None)  # googleapiclient's HttpError
    if status in (401, 403):
        return CONFIGURATION, f"permission denied: HTTP {status}"
    if status == 404:
        return CONFIGURATION, "not found: HTTP 404"
    if status is not None:
        return INFRASTRUCTURE, f"Google API error {status}"
    if isinstance(error, api_exceptions.GoogleAPICallError):
        return INFRASTRUCTURE, f"Google API error {error.code}: {_first_line(error.message)}"
    return INFRASTRUCTURE, f"{type(error).__name__}: {_first_line(str(error))}"


def _first_line(text: str, limit: int = 200) -> str:
    """One line of an error: a proxy or load balancer may answer with a whole HTML page."""
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."

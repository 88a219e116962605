"""The identity token a private Cloud Run service demands: `Authorization: Bearer <ID token>`.

Sources, first that has one: a token given (`--id-token`, `CONDUIT_ID_TOKEN`), then Google
Application Default Credentials: a `GOOGLE_APPLICATION_CREDENTIALS` file (a service-account key,
an impersonated account, or workload identity federation, whose account signs through the IAM
Credentials `generateIdToken` call), then the metadata server, asked only for an https URL: a
plain-http target is a local stand-in, and the metadata address is no place to send it to.
"""

from __future__ import annotations

import json
import os
from typing import Any

ID_TOKEN_ENV = "CONDUIT_ID_TOKEN"
HOW_TO_AUTHENTICATE = (
    "give an identity token for the service URL (--id-token or CONDUIT_ID_TOKEN, e.g. from "
    "`gcloud auth print-identity-token --audiences=URL`), or Application Default Credentials "
    "of an account with roles/run.invoker"
)


class IdentityError(RuntimeError):
    """Credentials were found but gave no token; the message never holds a token."""


def may_carry_token(url: str) -> bool:
    """Whether an identity token may be sent to `url`: https, or a loopback stand-in. A token
    sent in clear over the network can be read and replayed until it expires."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1", "localhost")


def given_token(flag: str | None) -> str | None:
    """The token given on the command line or in the environment, flag first."""
    return flag or os.environ.get(ID_TOKEN_ENV) or None


def fetch_token(audience: str) -> str | None:
    """A token for `audience` from Application Default Credentials, or None when there are none."""
    import google.auth.transport.requests
    from google.auth import exceptions

    request = google.auth.transport.requests.Request()
    try:
        credentials = _credentials(audience, request)
        if credentials is None:
            return None
        credentials.refresh(request)
    except exceptions.DefaultCredentialsError:
        return None
    except exceptions.GoogleAuthError as error:
        raise IdentityError(f"no identity token for {audience}: {_first_line(error)}") from None
    return credentials.token


def _credentials(audience: str, request: Any) -> Any:
    from google.oauth2 import id_token

    path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if path and _file_type(path) == "external_account":
        return _federated(path, audience)
    if path or audience.startswith("https://"):
        return id_token.fetch_id_token_credentials(audience, request=request)
    return None


def _file_type(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file).get("type")
    except (OSError, ValueError, AttributeError):
        return None


def _federated(path: str, audience: str) -> Any:
    """Workload identity federation: the federated identity impersonates its service account,
    which signs an ID token through IAM Credentials (google-auth's ID token helper has no such
    path of its own)."""
    import google.auth
    from google.auth import impersonated_credentials

    source, _ = google.auth.load_credentials_from_file(
        path, scopes=["https://www.googleapis.com/auth/cloud-platform"]
    )
    email = getattr(source, "service_account_email", None)
    if not email:
        raise IdentityError(
            f"{path}: this workload identity federation file impersonates no service account; "
            "an ID token needs one (service_account_impersonation_url)"
        )
    target = impersonated_credentials.Credentials(
        source_credentials=source,
        target_principal=email,
        target_scopes=["https://www.googleapis.com/auth/cloud-platform"],
    )
    return impersonated_credentials.IDTokenCredentials(
        target_credentials=target, target_audience=audience, include_email=True
    )


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]

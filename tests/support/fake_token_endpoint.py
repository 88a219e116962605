"""A local OAuth 2.0 token endpoint, as Google's answers a service account's ID-token grant.

google-auth posts a JWT assertion signed with the account's key and claiming `target_audience`;
the endpoint answers `{"id_token": ...}`. The fake checks the signature with the account's public
key and records each audience, so a test sees what was asked for.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import crypt, jwt

EMAIL = "validator@acme-staging.iam.gserviceaccount.com"


class FakeTokenEndpoint:
    """Serves one service account's ID-token grants on loopback."""

    def __init__(self) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public_pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self._signer = crypt.RSASigner.from_string(self.private_pem, "fake-key")
        self.audiences: list[str] = []
        self._issued_at = int(time.time())
        self.issued: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                claims = jwt.decode(form["assertion"][0], certs=public_pem, verify=True)
                endpoint.audiences.append(claims["target_audience"])
                body = json.dumps({"id_token": endpoint.issue(claims["target_audience"])})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval: stop() waits for it, in every test.
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/token"

    def issue(self, audience: str) -> str:
        """The ID token for `audience`: the same one each time, so a server can demand it."""
        now = self._issued_at
        token = jwt.encode(
            self._signer,
            {
                "iss": "https://accounts.google.com",
                "aud": audience,
                "email": EMAIL,
                "iat": now,
                "exp": now + 3600,
            },
        ).decode()
        self.issued.append(token)
        return token

    def key_file(self, directory: Path) -> Path:
        """A service-account key file whose token endpoint is this fake."""
        path = directory / "key.json"
        path.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": "acme-staging",
                    "private_key_id": "fake-key",
                    "private_key": self.private_pem,
                    "client_email": EMAIL,
                    "client_id": "1",
                    "token_uri": self.url,
                }
            )
        )
        return path

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

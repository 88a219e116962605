"""Real HTTP servers on loopback for the health checks: healthy, 503 forever, 503 then 200, hang."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StandIn:
    """A server whose behaviour is set by `mode`: ok | down | flaky | hang | platform-down;
    with `token`, a private service."""

    def __init__(
        self,
        mode: str = "ok",
        failures_first: int = 0,
        token: str | None = None,
        delay: float = 0.0,
    ) -> None:
        self.mode = mode
        # Seconds every answer takes: a slow app that still answers.
        self.delay = delay
        # A private Cloud Run service: 403 unless the request carries this bearer token.
        self.token = token
        self.authorizations: list[str | None] = []
        # "flaky" counts requests, not seconds: a clock started here would also count how long
        # the CLI process under test took to start, which no test may depend on.
        self.failures_first = failures_first
        self.requests = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def version_string(self) -> str:
                # Cloud Run's own frontend answers when no instance could start.
                return "Google Frontend" if stand_in.mode == "platform-down" else "stand-in/1"

            def do_GET(self) -> None:
                stand_in.requests += 1
                authorization = self.headers.get("Authorization")
                stand_in.authorizations.append(authorization)
                if stand_in.token is not None and authorization != f"Bearer {stand_in.token}":
                    self._answer(403, b"Forbidden")
                    return
                mode = stand_in.mode
                time.sleep(stand_in.delay)
                if mode == "hang":
                    time.sleep(30)
                    return
                up = mode == "ok" or (
                    mode == "flaky" and stand_in.requests > stand_in.failures_first
                )
                body = b'{"status": "ok"}' if up else b'{"status": "database unavailable"}'
                self._answer(200 if up else 503, body)

            # A Google API call is a POST (Logging's entries:list): the same behaviours.
            do_POST = do_GET  # noqa: N815 the name BaseHTTPRequestHandler calls

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval: stop() waits for it, in every test.
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

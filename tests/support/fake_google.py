"""A local fake of exactly the Google REST methods the validator calls.

Responses are the client libraries' own message types, serialised as the REST API sends them;
errors use Google's JSON error shape. Every request is recorded so tests assert what was asked.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

STATUS_NAMES = {403: "PERMISSION_DENIED", 404: "NOT_FOUND", 500: "INTERNAL", 503: "UNAVAILABLE"}

ROUTES = {
    "service": re.compile(r"^/v2/projects/[^/]+/locations/[^/]+/services/[^/]+$"),
    "connector": re.compile(r"^/v1/projects/[^/]+/locations/[^/]+/connectors/[^/]+$"),
    "secret_version": re.compile(r"^/v1/projects/[^/]+/secrets/[^/]+/versions/[^/]+$"),
    "sql_instance": re.compile(r"^/v1/projects/[^/]+/instances/[^/]+$"),
}
LIST_ENTRIES = "/v2/entries:list"
RUN_JOB = re.compile(r"^/v2/(projects/[^/]+/locations/[^/]+/jobs/[^/:]+):run$")
OPERATION = re.compile(r"^/v2/projects/[^/]+/locations/[^/]+/operations/[^/]+$")
CANCEL = re.compile(r"^/v2/(projects/[^/]+/locations/[^/]+/jobs/[^/]+/executions/[^/:]+):cancel$")


@dataclass
class FakeGoogle:
    """Objects by resource name, errors by path, and the requests received."""

    objects: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[dict] = field(default_factory=list)
    executions: dict[str, Any] = field(default_factory=dict)
    log_entries: list[Any] = field(default_factory=list)
    """LogEntry messages for the service's system log (`entries:list` checks the filter)."""
    job_log_entries: list[Any] = field(default_factory=list)
    """LogEntry messages for the probe job's stdout."""
    """Job name -> the Execution its `:run` operation completes with."""
    running: bool = False
    """`:run` answers with an operation that never finishes (its metadata names the execution),
    as a job whose tasks are still running does."""
    cancelled: list[str] = field(default_factory=list)
    """Executions cancelled (`executions/...:cancel`)."""
    operation_metadata: dict[str, Any] = field(default_factory=dict)

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                fake.requests.append(("GET", path))
                if OPERATION.match(path):
                    # Still running: polled until the caller gives up, its metadata each time.
                    body = {"name": path[4:], "done": False, **fake.operation_metadata}
                    return self._send(200, json.dumps(body))
                name = path.split("/", 2)[2]  # drop the API version
                if not any(route.match(path) for route in ROUTES.values()):
                    return self._send(404, _error(404, f"no such method: GET {path}"))
                if name in fake.errors:
                    code = fake.errors[name]
                    return self._send(code, _error(code, f"injected {code} for {name}"))
                if name not in fake.objects:
                    return self._send(404, _error(404, f"Resource '{name}' was not found"))
                message = fake.objects[name]
                # Discovery-based APIs (Cloud SQL Admin) have no message types: plain JSON there.
                plain = isinstance(message, dict)
                self._send(200, json.dumps(message) if plain else type(message).to_json(message))

            def do_POST(self) -> None:
                path = self.path.split("?", 1)[0]
                fake.requests.append(("POST", path))
                length = int(self.headers.get("Content-Length") or 0)
                fake.bodies.append(json.loads(self.rfile.read(length) or b"{}"))
                if path == LIST_ENTRIES:
                    return self._entries(fake.bodies[-1])
                cancel = CANCEL.match(path)
                if cancel:
                    fake.cancelled.append(cancel.group(1))
                    return self._send(200, json.dumps({"name": f"{cancel.group(1)}/op"}))
                match = RUN_JOB.match(path)
                if match is None:
                    return self._send(404, _error(404, f"no such method: POST {path}"))
                job = match.group(1)
                if job in fake.errors:
                    code = fake.errors[job]
                    return self._send(code, _error(code, f"injected {code} for {job}"))
                if job not in fake.executions:
                    return self._send(404, _error(404, f"Resource '{job}' was not found"))
                execution = fake.executions[job]
                # A finished long-running operation, as the jobs API returns it.
                response = json.loads(type(execution).to_json(execution))
                response["@type"] = "type.googleapis.com/google.cloud.run.v2.Execution"
                operation = {"name": f"{job}/operations/op-1", "done": True, "response": response}
                if fake.running:
                    # Cloud Run's own shape: the operation lives under locations/, not the job.
                    location = job.rsplit("/jobs/", 1)[0]
                    metadata = {**response, "@type": response["@type"]}
                    operation = {
                        "name": f"{location}/operations/op-1",
                        "done": False,
                        "metadata": metadata,
                    }
                    fake.operation_metadata = {"metadata": metadata}
                self._send(200, json.dumps(operation))

            def _entries(self, body: dict) -> None:
                if "entries" in fake.errors:
                    code = fake.errors["entries"]
                    return self._send(code, _error(code, "injected error for entries:list"))
                flt = body.get("filter", "")
                if 'resource.type="cloud_run_revision"' in flt and "varlog%2Fsystem" in flt:
                    chosen = fake.log_entries
                elif 'resource.type="cloud_run_job"' in flt and "execution_name" in flt:
                    chosen = fake.job_log_entries
                else:
                    return self._send(400, _error(400, f"unexpected filter: {flt}"))
                entries = [json.loads(type(e).to_json(e)) for e in chosen]
                self._send(200, json.dumps({"entries": entries}))

            def _send(self, code: int, body: str) -> None:
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval: stop() waits for it, in every test.
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _error(code: int, message: str) -> str:
    return json.dumps(
        {"error": {"code": code, "message": message, "status": STATUS_NAMES.get(code, "UNKNOWN")}}
    )

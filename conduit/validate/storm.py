"""The start-up storm, measured: N fresh probes connect at once, as N starting instances would.

Two runners: `LocalStorm` (N probe processes on this machine, for local stand-ins and tests) and
`CloudRunStorm` (the stack's probe job with N parallel tasks, through the same connector). Judging
the result is the checks' job (startup-storm, connector-scaling); this module only measures.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from conduit.core import probe_output
from conduit.core.failures import CUT, FailureClass
from conduit.probe.postgres import CA_ENV, DSN_ENV, Dsn, probe
from conduit.validate.deadline import Deadline

PROBE_JOB_ROLES = ("roles/run.jobsExecutorWithOverrides", "roles/logging.viewer")
"""What the validator's caller needs to run the probe job and read its results.

With overrides, unlike the scheduler (roles/run.invoker on fixed jobs, issue #26): each check
sets the task count and the probe's arguments (connections, --redis) for its run, which
roles/run.invoker does not allow ("to override job configurations": roles/run.developer or this
narrower role, https://cloud.google.com/run/docs/execute/jobs). The caller is the person or CI
identity that validates, outside the stack; the stack grants the role to no one, and the validator
sends no env override (`CloudRunStorm._execute`: task count and args only), so the job keeps its
DATABASE_HOST and reads only the probe's own database user's password."""

BASELINE_SAMPLES = 3
HOLD_SECONDS = 2.0
"""Each task keeps its connection this long, as a starting instance keeps its pool: the tasks
overlap as a real start-up storm does, whatever the stagger of process start-up."""


@dataclass(frozen=True)
class Task:
    """One task of the storm: when its connection started (from the burst) and how it went."""

    ok: bool
    start: float | None = None
    seconds: float | None = None
    """From the start of the attempt to an open session (or to the failure)."""
    failure: str = ""
    classification: FailureClass | Literal[""] = ""


@dataclass
class StormResult:
    """Every task of one storm, and the idle path's connection time to compare them with."""

    tasks: list[Task]
    elapsed: float
    runner: str
    notes: list[str] = field(default_factory=list)
    baseline_seconds: float | None = None
    """The idle path's connection time: median of sequential connections before the burst."""
    baseline_source: str = "idle connections"

    @property
    def success_rate(self) -> float:
        return sum(t.ok for t in self.tasks) / len(self.tasks) if self.tasks else 0.0


class LocalStorm:
    """N `conduit probe` processes started together on this machine."""

    name = "local"

    def __init__(self, dsn: str, ca_pem: str | None = None) -> None:
        self._dsn = dsn
        self._ca_pem = ca_pem

    def run(self, tasks: int, deadline: float) -> StormResult:
        # Each probe verifies the server with the CA validate was given (--dsn-ca), and with no
        # other: a DATABASE_CA_CERT of this machine's environment is not the DSN's.
        env = {k: v for k, v in os.environ.items() if k != CA_ENV}
        env[DSN_ENV] = self._dsn
        if self._ca_pem:
            env[CA_ENV] = self._ca_pem
        command = [
            sys.executable,
            "-m",
            "conduit.cli",
            "probe",
            "--connections",
            "1",
            "--deadline",
            f"{max(deadline - 1, 0.5):.3f}",
            "--hold",
            str(HOLD_SECONDS),
        ]
        started_at = time.time()
        began = time.monotonic()
        processes = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            for _ in range(tasks)
        ]
        results = []
        try:
            for process in processes:
                try:
                    out, _ = process.communicate(
                        timeout=max(deadline - (time.monotonic() - began), 0.1)
                    )
                    results.append(_task(out, started_at))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.communicate()
                    # The budget ran out before the task reported: no evidence of anything.
                    results.append(Task(ok=False, failure=CUT))
        finally:
            _stop(processes)
        return StormResult(results, time.monotonic() - began, self.name)


def _stop(processes: list[subprocess.Popen]) -> None:
    """Every probe still running (when the run was interrupted): asked to stop first, so each
    closes its connections, then killed if it does not."""
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.terminate()
    stop = time.monotonic() + 3
    for process in running:
        try:
            process.wait(timeout=max(stop - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _task(out: bytes | dict, storm_started_at: float) -> Task:
    """A task from the probe's JSON result (its stdout, or the log entry Cloud Run made of it)."""
    try:
        result = json.loads(out) if isinstance(out, bytes | str) else out
        attempt = min(result["attempts"], key=lambda a: a["started"])
        phases = [attempt.get(p) or 0.0 for p in ("resolve", "tcp", "connect")]
        raw_class = result.get(probe_output.CLASSIFICATION) or ""
        return Task(
            ok=bool(result[probe_output.OK]),
            start=result["startedAt"] + attempt["started"] - storm_started_at,
            seconds=sum(phases),
            failure=attempt.get("failure", ""),
            classification=FailureClass(raw_class) if raw_class else "",
        )
    except (ValueError, KeyError, TypeError):
        return Task(ok=False, failure="no-result", classification=FailureClass.INFRASTRUCTURE)


class CloudRunStorm:
    """The stack's probe job, run with N parallel tasks through Cloud Run's jobs API.

    Each task prints the probe's JSON result; Cloud Run ships it to Cloud Logging as the entry's
    jsonPayload, which is where the per-task timings are read back from.
    """

    name = "cloudrun"
    LOG_POLL_SECONDS = 2.0

    def __init__(self, clients, job_id: str) -> None:
        """`job_id`: `projects/{project}/locations/{region}/jobs/{name}`, what jobs.run names."""
        self._clients = clients
        self._job = job_id

    def _execute(
        self, tasks: int, deadline: float, args: list[str] | None = None
    ) -> tuple[Any, list[dict], list[str]]:
        """Run the job with `tasks` tasks (and the container's args replaced by `args`); return
        the execution, the tasks' logged probe results and notes."""
        from google.cloud import run_v2

        began = time.monotonic()
        overrides = run_v2.RunJobRequest.Overrides(task_count=tasks)
        if args is not None:
            overrides.container_overrides = [
                run_v2.RunJobRequest.Overrides.ContainerOverride(args=args)
            ]
        request = run_v2.RunJobRequest(name=self._job, overrides=overrides)
        operation = self._clients.jobs.run_job(request=request, timeout=deadline)
        # The execution is named in the operation's first answer, before any polling.
        started = getattr(operation.metadata, "name", "")
        try:
            execution = operation.result(timeout=deadline)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM) or out of time: stop the tasks we started.
            self._cancel(started)
            raise
        notes = [
            f"execution {execution.name}: {execution.succeeded_count} succeeded, "
            f"{execution.failed_count + execution.cancelled_count} failed of {tasks}"
        ]
        left = deadline - (time.monotonic() - began)
        return execution, self._payloads(execution.name, tasks, left, notes), notes

    def run(self, tasks: int, deadline: float) -> StormResult:
        began = time.monotonic()
        execution, payloads, notes = self._execute(tasks, deadline)
        results = [_task(p, 0.0) for p in payloads]
        if len(results) < tasks:
            # Tasks whose log never arrived still count by the execution's own tally.
            logged_ok = sum(t.ok for t in results)
            results += [Task(ok=True)] * max(execution.succeeded_count - logged_ok, 0)
            results += [Task(ok=False, failure="task-failed")] * max(tasks - len(results), 0)
        return StormResult(results[:tasks], time.monotonic() - began, self.name, notes)

    def _cancel(self, name: str) -> None:
        """Cancel the execution `jobs.run` started, if it said which; best effort."""
        if not name:
            return
        try:
            self._clients.executions.cancel_execution(name=name, timeout=5)
        except Exception:  # noqa: BLE001 the run is ending anyway; the job's timeout still holds
            return

    def probe_once(
        self, connections: int, deadline: float, target: tuple[str, ...] = ()
    ) -> dict | None:
        """One task opening `connections` at once inside the VPC: its probe result, if logged.
        `target`: extra probe arguments (`--redis` probes Redis instead of the database)."""
        args = [
            "probe",
            *target,
            "--connections",
            str(connections),
            "--deadline",
            f"{deadline:g}",
        ]
        _, payloads, _ = self._execute(1, deadline + 60, args)
        return payloads[0] if payloads else None

    def _payloads(self, execution: str, tasks: int, left: float, notes: list[str]) -> list[dict]:
        project = execution.split("/")[1]
        short = execution.rsplit("/", 1)[-1]
        flt = probe_output.job_stdout_filter(
            project, f'labels."run.googleapis.com/execution_name"="{short}"'
        )
        stop = time.monotonic() + max(left, 0)
        payloads: list[dict] = []
        while True:
            try:
                entries = self._clients.logging(project).list_entries(
                    resource_names=[f"projects/{project}"],
                    filter_=flt,
                    page_size=1000,
                    max_results=tasks,
                )
                payloads = [e.payload for e in entries if isinstance(e.payload, dict)]
            except Exception as error:  # noqa: BLE001 timings are extra; the counts stand
                notes.append(f"task timings unavailable: {type(error).__name__}: {error}")
                return []
            # Log ingestion lags the execution by a few seconds.
            if len(payloads) >= tasks or time.monotonic() + self.LOG_POLL_SECONDS > stop:
                break
            time.sleep(self.LOG_POLL_SECONDS)
        notes.append(f"task timings from {len(payloads)} of {tasks} task logs")
        return payloads


def idle_baseline(dsn: Dsn, deadline: Deadline) -> float | None:
    """Median of sequential single connections on the idle path, before the burst."""
    samples: list[float] = []
    for _ in range(BASELINE_SAMPLES):
        result = asyncio.run(probe(dsn, 1, min(10.0, max(deadline.remaining(), 0.1))))
        samples += result.connect_times()
    return statistics.median(samples) if samples else None


Runner = LocalStorm | CloudRunStorm


def measure(
    runner: Runner, tasks: int, budget: float, dsn: Dsn | None, deadline: Deadline
) -> StormResult:
    """The idle baseline (from `dsn`), then the storm within `budget` seconds."""
    baseline = idle_baseline(dsn, deadline) if dsn else None
    result = runner.run(tasks, budget)
    times = [t.seconds for t in result.tasks if t.ok and t.seconds is not None]
    if baseline is None and times:
        # No DSN to measure the idle path from here: the storm's fastest connection stands in.
        baseline, result.baseline_source = min(times), "fastest task"
    result.baseline_seconds = baseline
    return result

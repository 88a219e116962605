"""What the validator's check tests share: the staging stack's settings and success criteria as the
fake Google APIs serve them, and a run's context over them."""

from __future__ import annotations

from conduit.core.failures import FailureClass
from conduit.core.loader import parse_settings
from conduit.core.settings import SuccessCriteria
from conduit.validate.context import Context
from conduit.validate.deadline import Deadline
from conduit.validate.google import GoogleClients
from conduit.validate.storm import StormResult, Task
from conduit.validate.targets import ServiceTarget, Targets
from tests.support.google_stack import CONNECTOR, INSTANCE, PROJECT, REGION, SECRETS
from tests.support.project import single_service_config

# The staging stack as a one-service stack file: what the fake Google APIs serve.
SETTINGS = parse_settings(single_service_config(), "Pulumi.staging.yaml")


CRITERIA = SuccessCriteria.model_validate(
    {
        "connectorScalingLatencySeconds": 10,
        "databaseConnectSeconds": 30,
        "concurrentConnections": 20,
        "startupSuccessRate": 0.9,
    }
)


def context(endpoint: str | None = None, **targets) -> Context:
    """A run's context for the staging stack as deployed; `targets` replace any target."""
    fields = {
        "stack": "staging",
        "criteria": CRITERIA,
        "project": PROJECT,
        "region": REGION,
        "services": (ServiceTarget("backend"),),
        "connector_id": CONNECTOR,
        "secret_ids": SECRETS,
        "sql_connection_name": f"{PROJECT}:{REGION}:{INSTANCE}",
        "settings": SETTINGS,
        **targets,
    }
    return Context(targets=Targets(**fields), deadline=Deadline(60), google=GoogleClients(endpoint))


SUBNET_ID = f"projects/{PROJECT}/regions/{REGION}/subnetworks/staging-run-egress"


# connector-scaling


def storm_result(*tasks: Task, baseline: float | None = 0.05) -> StormResult:
    return StormResult(list(tasks), elapsed=5.0, runner="local", baseline_seconds=baseline)


class Measured:
    """A storm runner that hands back a result measured elsewhere (through the egress path)."""

    name = "given"

    def __init__(self, result: StormResult) -> None:
        self.result = result
        self.runs = 0

    def run(self, tasks: int, deadline: float) -> StormResult:
        self.runs += 1
        return self.result


LATENCY = {
    "egressPath": "connector",
    "latencySeconds": 0.5,
    "baselineSeconds": 0.02,
    "baselineFrom": "fastest task",
    "slowTasks": 1,
    "thresholdSeconds": 10,
}


def through_path(ctx: Context, *seconds: float) -> Context:
    """`ctx` with a storm through the egress path whose tasks took `seconds` each."""
    tasks = [Task(ok=True, start=0.0, seconds=s) for s in seconds]
    ctx.storm_runner = Measured(storm_result(*tasks, baseline=None))
    return ctx


# database-connect


def probe(succeeded: int, slowest: float | None, **failures: int) -> dict:
    """A probe result as `conduit probe` prints it (the fields the check reads)."""
    failed = sum(failures.values())
    classification = ""
    if failures:
        classification = (
            FailureClass.CONFIGURATION
            if "authentication" in failures
            else FailureClass.INFRASTRUCTURE
        )
    return {
        "ok": failed == 0,
        "succeeded": succeeded,
        "connectSeconds": {"max": slowest} if slowest is not None else {},
        "failures": failures,
        "classification": classification,
        "errors": [f"error {n}" for n in range(7)] if failed else [],
    }

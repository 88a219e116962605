"""One judgement of a probe's burst (`conduit probe` JSON), for every check that opens K
connections at once: database-connect and redis-connect."""

from __future__ import annotations

from collections.abc import Mapping

from conduit.core import probe_output as out
from conduit.core.failures import CUT, FailureClass
from conduit.report.model import Finding, Outcome


def judge_burst(
    rule: str,
    result: dict,
    connections: int,
    threshold: float,
    subject: str,
    remedies: Mapping[FailureClass, str],
    cut: bool = False,
) -> Finding:
    """Every connection must succeed and the slowest stay under `threshold` seconds. `cut`: the
    run's deadline shortened the probe, so its timeouts are the deadline's, not the server's.
    A failure carries the one remedy of its class, from `remedies`."""
    succeeded = result["succeeded"]
    failures = dict(result["failures"])
    if cut and "timeout" in failures:
        failures[CUT] = failures.pop("timeout")
    connect, slowest_key = out.SLOWEST_CONNECT
    slowest = result[connect].get(slowest_key)  # None when nothing connected
    figures = {
        "connections": connections,
        "succeeded": succeeded,
        "outcomes": {"connected": succeeded, **failures},
        "connectSeconds": result[out.CONNECT_SECONDS],
        "thresholdSeconds": threshold,
    }
    if result[out.OK] and slowest is not None and slowest < threshold:
        return Finding(
            rule=rule,
            outcome=Outcome.PASS,
            subject=subject,
            figures=figures,
            message=f"{connections} connections in {slowest:.3f} s at most (threshold "
            f"{threshold:g} s)",
        )
    if result[out.OK]:
        message = (
            f"all {connections} connected but the slowest took {slowest:.2f} s (threshold "
            f"{threshold:g} s)"
        )
        classification = FailureClass.INFRASTRUCTURE
    else:
        kinds = ", ".join(f"{k} x{n}" for k, n in sorted(failures.items()))
        message = f"{succeeded}/{connections} connected; failures: {kinds}"
        classification = result[out.CLASSIFICATION] or FailureClass.INFRASTRUCTURE
    return Finding(
        rule=rule,
        outcome=Outcome.FAIL,
        subject=subject,
        figures=figures,
        severity="critical",
        classification=classification,
        message=message,
        evidence=tuple(result["errors"][:5]),
        remediation=remedies[classification],
    )

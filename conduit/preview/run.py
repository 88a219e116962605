"""`conduit preview`: the program under mocks, the real pack over the protocol, one report."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from pulumi.runtime.proto import analyzer_pb2

from conduit import interrupts
from conduit.components import provenance
from conduit.core.loader import SettingsError, stack_file
from conduit.core.violation import INSPECTS, Violation, decode
from conduit.preview import analyzer, policy_config
from conduit.preview.locations import StackFileIndex
from conduit.preview.plan import Plan, plan_stack
from conduit.preview.project import Project, load_project
from conduit.preview.runner import ResourceRecord
from conduit.report.model import Finding, Location, Outcome, Report, Rule

LEVEL_NAMES = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
SEVERITY_NAMES = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


class ProgramError(RuntimeError):
    """The Pulumi program itself raised: its error is the message."""


@dataclass(frozen=True)
class PreviewRequest:
    """What to preview and with which pack and policy config."""

    project_dir: Path
    stack: str
    pack_dir: Path
    policy_config: Path | None


def default_pack_dir(project_dir: Path) -> Path:
    """`policies/` in the project dir or the nearest parent that has one."""
    for directory in (project_dir, *project_dir.parents):
        if (directory / "policies" / "PulumiPolicy.yaml").is_file():
            return directory / "policies"
    return project_dir / "policies"


def default_policy_config(pack_dir: Path, stack: str) -> Path | None:
    """`<pack>/config/<stack>.json` when it exists: the stack's thresholds and levels."""
    path = pack_dir / "config" / f"{stack}.json"
    return path if path.is_file() else None


def preview(request: PreviewRequest) -> Report:
    """Plan the stack and run the pack over it; raises SettingsError, PolicyConfigError,
    ProgramError or analyzer.PackError."""
    started = time.perf_counter()
    # What the CLI refuses before anything runs is refused here before the pack starts.
    project = load_project(request.project_dir)
    if not (request.pack_dir / "PulumiPolicy.yaml").is_file():
        raise policy_config.PolicyConfigError(
            [f"--policy-pack {request.pack_dir}: no PulumiPolicy.yaml there: not a policy pack"]
        )
    raw_config = policy_config.load(request.policy_config)
    source = str(request.policy_config) if request.policy_config else "policy defaults"
    with ExitStack() as stack:
        # The pack boots in its own process (on the other core) while the program runs here,
        # and analyzes each resource as it registers.
        pack = stack.enter_context(analyzer.running_pack(request.pack_dir))
        # From here to the report nothing is written: an interruption ends the process at once.
        stack.enter_context(interrupts.ends_process(pack.process.pid))
        analysis = analyzer.ResourceAnalysis(
            pack, lambda info: policy_config.reconcile(info, raw_config, source)
        )
        stack.callback(analysis.stop)
        plan = _plan(request, project, analysis.submit)
        info, responses = analysis.finish()
        records = plan.custom_resources
        diagnostics = [(r, d) for r in records for d in responses[r.urn].diagnostics]
        by_urn = {r.urn: r for r in records}
        diagnostics += [(by_urn.get(d.urn), d) for d in analysis.analyze_stack(records).diagnostics]
    index = StackFileIndex(stack_file(request.project_dir, request.stack), request.project_dir)
    policies = {p.name: p for p in info.policies}
    locate = partial(_locate, index, plan.recording.sources)
    findings = tuple(
        _finding(record, diagnostic, policies[diagnostic.policyName], locate)
        for record, diagnostic in diagnostics
    )
    rules = tuple(
        Rule(
            name=p.name,
            description=p.description,
            severity=SEVERITY_NAMES.get(p.severity, "medium"),
            enforcement=LEVEL_NAMES[p.enforcementLevel],
            remediation=p.remediation_steps,
            scope="stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
            inspects=tuple(t.removeprefix(INSPECTS) for t in p.tags if t.startswith(INSPECTS)),
        )
        for p in info.policies
    )
    return Report(
        command="preview",
        stack=request.stack,
        findings=findings,
        rules=rules,
        resources=tuple((r.type, r.urn) for r in records),
        source=index.relative,
        duration_seconds=time.perf_counter() - started,
        notes=tuple(
            f"{key}: encrypted, left out offline (the program generates what it needs)"
            for key in plan.recording.encrypted_config
        ),
    )


def _plan(
    request: PreviewRequest, project: Project, on_record: Callable[[ResourceRecord], None]
) -> Plan:
    try:
        return plan_stack(request.project_dir, request.stack, project, on_record)
    except SettingsError:
        raise
    except Exception as error:
        raise ProgramError(f"the Pulumi program failed: {type(error).__name__}: {error}") from error


def _locate(
    index: StackFileIndex,
    sources: dict[str, dict[str, str]],
    subject: str,
    violation: Violation,
) -> tuple[Location, tuple[Location, ...]]:
    """The stack-file line of the first judged property a settings key produced (the subject's
    own paths, then the related ones, then the subject's whole block; else the program), and
    every other related property's line, once each, with its note."""
    candidates = [
        *((subject, path, "") for path in violation.paths),
        *((urn, path, *rest) for urn, path, *rest in violation.related),
        (subject, "", ""),
    ]
    found: list[Location] = []
    for urn, path, *rest in candidates:
        key = provenance.settings_key(sources, urn, path)
        hit = index.line_of(key) if key else None
        if hit and all((seen.line, seen.key) != hit for seen in found):
            found.append(Location(index.relative, hit[0], hit[1], rest[0] if rest else ""))
    if not found:
        return Location(index.program, 1, ""), ()
    primary, *others = found
    # The subject's whole block is a fallback for the location, no related setting.
    block = _line(index, sources, subject, "")
    return primary, tuple(o for o in others if (o.line, o.key) != block)


def _line(
    index: StackFileIndex, sources: dict[str, dict[str, str]], urn: str, path: str
) -> tuple[int, str] | None:
    key = provenance.settings_key(sources, urn, path)
    return index.line_of(key) if key else None


def _finding(
    record: ResourceRecord | None,
    diagnostic: analyzer_pb2.AnalyzeDiagnostic,
    policy: analyzer_pb2.PolicyInfo,
    locate: Callable[[str, Violation], tuple[Location, tuple[Location, ...]]],
) -> Finding:
    subject = record.urn if record else diagnostic.urn
    # The SDK prefixes each message with the policy's description; the report shows both apart.
    text = diagnostic.message.removeprefix(diagnostic.description).strip()
    violation = decode(text, subject) or Violation(text or policy.description, urn=subject)
    location, related = locate(subject, violation)
    level = LEVEL_NAMES.get(diagnostic.enforcementLevel, "advisory")
    outcome = Outcome.FAIL if level in ("mandatory", "remediate") else Outcome.WARN
    if violation.error:
        outcome = Outcome.ERROR
    elif "can't run policy" in text and "during preview" in text:
        # The SDK's own diagnostic for a value unknown at preview (no data line).
        outcome = Outcome.SKIPPED
    return Finding(
        rule=diagnostic.policyName,
        outcome=outcome,
        message=violation.message,
        severity=SEVERITY_NAMES.get(policy.severity, "medium"),
        enforcement=level,
        subject=subject,
        subject_type=record.type if record else "",
        remediation=violation.remediation or policy.remediation_steps,
        location=location,
        related=related,
        properties=violation.paths,
        observed=violation.observed,
        required=violation.required,
    )

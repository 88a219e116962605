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
from conduit.core.loader import SettingsError, read_stack_config, stack_file
from conduit.core.settings import StackSettings, grade_of
from conduit.core.violation import INSPECTS, SECURITY, Violation, decode
from conduit.preview import (
    analyzer,
    pack_location,
    policy_config,
    source_lines,
    state,
    suppressions,
)
from conduit.preview.locations import StackFileIndex, report_path
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
    """`policies/` in the project dir or the nearest parent that has one, else the pack installed
    with this conduit (for a program outside any checkout)."""
    for directory in (project_dir, *project_dir.parents):
        if (directory / "policies" / "PulumiPolicy.yaml").is_file():
            return directory / "policies"
    try:
        return pack_location.installed_pack_dir()
    except pack_location.PackNotInstalledError:
        return project_dir / "policies"


GRADE_DEFAULTS: dict[str, str | None] = {"production": "production.json", "standard": None}
"""Each grade's policy config in `<pack>/config/` (None: the pack's own defaults)."""


def default_policy_config(pack_dir: Path, stack: str, grade: str = "standard") -> Path | None:
    """`<pack>/config/<stack>.json` when it exists: the stack's thresholds and levels; else its
    grade's defaults (production: `<pack>/config/production.json`; standard: the pack's)."""
    path = pack_dir / "config" / f"{stack}.json"
    if path.is_file():
        return path
    grade_file = GRADE_DEFAULTS.get(grade)
    defaults = pack_dir / "config" / grade_file if grade_file else None
    return defaults if defaults is not None and defaults.is_file() else None


def describe_policy_config(
    request: PreviewRequest, grade: str, chosen: Path | None, given: bool
) -> str:
    """What every report says of the policy config it ran with."""
    if chosen is None:
        return f"{grade} defaults (the pack's own; no {request.pack_dir.name}/config/" + (
            f"{request.stack}.json)"
        )
    shown = report_path(chosen, request.project_dir)
    if given:
        return f"{shown} (--policy-config)"
    if chosen.name == f"{request.stack}.json":
        return f"{shown} (the stack's own)"
    return f"{grade} defaults ({shown}; no {request.pack_dir.name}/config/{request.stack}.json)"


def preview(request: PreviewRequest) -> Report:
    """Plan the stack and run the pack over it; raises SettingsError, PolicyConfigError,
    ProgramError or analyzer.PackError."""
    started = time.perf_counter()
    # What the CLI refuses before anything runs is refused here before the pack starts.
    project = load_project(request.project_dir)
    grade = grade_of(
        read_stack_config(
            stack_file(request.project_dir, request.stack), require_config=project.is_conduit
        )
    )
    chosen = request.policy_config or default_policy_config(request.pack_dir, request.stack, grade)
    described = describe_policy_config(request, grade, chosen, request.policy_config is not None)
    plans: list[Plan] = []

    def feed(submit: Callable[[ResourceRecord], None]) -> list[ResourceRecord]:
        # The pack boots in its own process (on the other core) while the program runs here,
        # and analyzes each resource as it registers.
        plans.append(_plan(request, project, submit))
        return plans[0].custom_resources

    records, info, diagnostics = _judge(request.pack_dir, chosen, feed)
    plan = plans[0]
    index = StackFileIndex(stack_file(request.project_dir, request.stack), request.project_dir)
    positions = {r.urn: r.source for r in records if r.source}
    locate = partial(_locate, index, plan.recording.sources, positions)
    return Report(
        command="preview",
        stack=request.stack,
        findings=_suppressed(
            _findings(info, diagnostics, locate), records, chosen, request.project_dir
        ),
        rules=_rules(info),
        resources=tuple((r.type, r.urn) for r in records),
        source=index.relative,
        duration_seconds=time.perf_counter() - started,
        notes=_notes(plan),
        policy_config=described,
    )


@dataclass(frozen=True)
class AuditRequest:
    """A deployed stack's state export and the pack and policy config to judge it with."""

    state: Path
    pack_dir: Path
    policy_config: Path | None
    """None: `<pack>/config/<stack>.json` of the export's stack, when it exists."""


def audit(request: AuditRequest) -> Report:
    """Run the pack over the resources of a `pulumi stack export`, as the engine's analyzers
    would see them deployed; raises SettingsError, PolicyConfigError or analyzer.PackError."""
    started = time.perf_counter()
    shown = report_path(request.state, Path.cwd())
    deployed = state.load_state(request.state, shown)

    def feed(submit: Callable[[ResourceRecord], None]) -> list[ResourceRecord]:
        for record in deployed.records:
            submit(record)
        return deployed.records

    # The stack's thresholds and levels, as its preview uses them, unless one is given.
    config = request.policy_config or default_policy_config(request.pack_dir, deployed.stack)
    # Described as the preview of the export's stack, run from here, would describe it.
    as_preview = PreviewRequest(Path.cwd(), deployed.stack, request.pack_dir, config)
    described = describe_policy_config(
        as_preview, "standard", config, request.policy_config is not None
    )
    records, info, diagnostics = _judge(request.pack_dir, config, feed)
    lines = state.urn_lines(request.state)

    def locate(subject: str, violation: Violation) -> tuple[Location, tuple[Location, ...]]:
        judged = violation.paths[0] if violation.paths else ""
        related = tuple(
            Location(shown, lines.get(urn, 1), path, *rest)
            for urn, path, *rest in violation.related
        )
        return Location(shown, lines.get(subject, 1), judged), related

    notes = (
        (
            f"{deployed.encrypted} secret value(s) of the export are ciphertext: unknown to the "
            "rules (export with --show-secrets to judge them)",
        )
        if deployed.encrypted
        else ()
    )
    return Report(
        command="audit",
        stack=deployed.stack,
        findings=_suppressed(_findings(info, diagnostics, locate), records, config, Path.cwd()),
        rules=_rules(info),
        resources=tuple((r.type, r.urn) for r in records),
        source=shown,
        duration_seconds=time.perf_counter() - started,
        notes=notes,
        policy_config=described,
    )


def _suppressed(
    findings: tuple[Finding, ...],
    records: list[ResourceRecord],
    config: Path | None,
    base: Path,
) -> tuple[Finding, ...]:
    """The findings with the policy config's suppressions applied (policy_config validated it)."""
    entries = suppressions.entries(policy_config.load(config))
    if not entries:
        return findings
    shown = report_path(config, base) if config else ""
    return suppressions.apply(findings, entries, [r.urn for r in records], config, shown)


Diagnostics = list[tuple[ResourceRecord | None, analyzer_pb2.AnalyzeDiagnostic]]


def _judge(
    pack_dir: Path,
    config_path: Path | None,
    feed: Callable[[Callable[[ResourceRecord], None]], list[ResourceRecord]],
) -> tuple[list[ResourceRecord], analyzer_pb2.AnalyzerInfo, Diagnostics]:
    """Start the pack, let `feed` hand it each resource (Analyze), then AnalyzeStack over what
    `feed` returns: the records, the pack's info and every diagnostic with its record."""
    if not (pack_dir / "PulumiPolicy.yaml").is_file():
        raise policy_config.PolicyConfigError(
            [f"--policy-pack {pack_dir}: no PulumiPolicy.yaml there: not a policy pack"]
        )
    raw_config = policy_config.load(config_path)
    source = str(config_path) if config_path else "policy defaults"
    with ExitStack() as stack:
        pack = stack.enter_context(analyzer.running_pack(pack_dir))
        # From here to the report nothing is written: an interruption ends the process at once.
        stack.enter_context(interrupts.ends_process(pack.process.pid))
        analysis = analyzer.ResourceAnalysis(
            pack, lambda info: policy_config.reconcile(info, raw_config, source)
        )
        stack.callback(analysis.stop)
        records = feed(analysis.submit)
        info, responses = analysis.finish()
        diagnostics: Diagnostics = [
            (r, d) for r in records if r.urn in responses for d in responses[r.urn].diagnostics
        ]
        by_urn = {r.urn: r for r in records}
        diagnostics += [(by_urn.get(d.urn), d) for d in analysis.analyze_stack(records).diagnostics]
    return records, info, diagnostics


def _findings(
    info: analyzer_pb2.AnalyzerInfo,
    diagnostics: Diagnostics,
    locate: Callable[[str, Violation], tuple[Location, tuple[Location, ...]]],
) -> tuple[Finding, ...]:
    policies = {p.name: p for p in info.policies}
    return tuple(
        _finding(record, diagnostic, policies[diagnostic.policyName], locate)
        for record, diagnostic in diagnostics
    )


def _rules(info: analyzer_pb2.AnalyzerInfo) -> tuple[Rule, ...]:
    return tuple(
        Rule(
            name=p.name,
            description=p.description,
            severity=SEVERITY_NAMES.get(p.severity, "medium"),
            enforcement=LEVEL_NAMES[p.enforcementLevel],
            remediation=p.remediation_steps,
            scope="stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
            inspects=tuple(t.removeprefix(INSPECTS) for t in p.tags if t.startswith(INSPECTS)),
            security=SECURITY in p.tags,
        )
        for p in info.policies
    )


def _notes(plan: Plan) -> tuple[str, ...]:
    """What the report must say it did not see (config it could not decrypt) and where each
    secret's value comes from."""
    encrypted = plan.recording.encrypted_config
    if plan.settings is not None:
        return (
            *(
                f"{key}: encrypted, left out offline (the program generates what it needs)"
                for key in encrypted
            ),
            *value_sources(plan.settings, plan.secret_value_names),
        )
    if not encrypted:
        return ()
    return (
        f"not decrypted offline (a secret unknown to the program; rules that need the value "
        f"report not-applicable): {', '.join(encrypted)}",
    )


def value_sources(settings: StackSettings, valued: frozenset[str]) -> tuple[str, ...]:
    """Where the value of every secret the stack creates comes from, by env name: no value is
    generated without the report saying so."""
    notes = [
        f"secret DATABASE_PASSWORD of {login.reader} ({login.password_secret_id}): GENERATED "
        f"(random), the password of database user {login.user}, {login.reader}'s alone; "
        "reaches it by reference only"
        for login in settings.database_logins
        if login.password_secret_id is not None
    ]
    if settings.redis is not None and settings.redis.auth_enabled:
        notes.append(
            f"secret REDIS_AUTH ({settings.redis_auth_secret_id}): the Redis instance's AUTH "
            "string; reaches services with redis: true by reference only"
        )
    for env_name in settings.secrets:
        if env_name in valued:
            notes.append(f"secret {env_name}: set with pulumi config (conduit:secretValues)")
        else:
            notes.append(
                f"secret {env_name}: GENERATED (random); to give it a value: pulumi config set "
                f"--secret --path conduit:secretValues.{env_name} VALUE"
            )
    for service in settings.services.values():
        for env_name in service.composed_env:
            notes.append(
                f"secret {env_name} of {service.name}: composed from the stack's outputs, by "
                "reference only"
            )
    return tuple(notes)


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
    positions: dict[str, tuple[Path, int]],
    subject: str,
    violation: Violation,
) -> tuple[Location, tuple[Location, ...]]:
    """The stack-file line of the first judged property a settings key produced (the subject's
    own paths, then the related ones, then the subject's whole block; else the program line that
    constructed the subject, the SDK's source position; else the program), and every other
    related property's line, once each, with its note."""
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
        return _program_location(index, positions, subject, violation), ()
    primary, *others = found
    # The subject's whole block is a fallback for the location, no related setting.
    block = _line(index, sources, subject, "")
    return primary, tuple(o for o in others if (o.line, o.key) != block)


def _program_location(
    index: StackFileIndex,
    positions: dict[str, tuple[Path, int]],
    subject: str,
    violation: Violation,
) -> Location:
    """The program line that constructed the subject (its judged property's line within the
    call, when it shows), else the program."""
    if subject not in positions:
        return Location(index.program, 1, "")
    path, line = positions[subject]
    judged = violation.paths[0] if violation.paths else ""
    return Location(
        report_path(path, index.project_dir), source_lines.line_of(path, line, judged), judged
    )


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

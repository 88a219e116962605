"""One `conduit validate` run: targets from outputs or flags, the selected checks, one report."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from conduit.arguments import ArgumentError
from conduit.core import files
from conduit.core.exitcodes import ExitCode
from conduit.core.failures import FailureClass
from conduit.core.loader import SettingsError, load_stack_file, stack_file
from conduit.core.settings import StackSettings
from conduit.probe.postgres import DsnError, checked_ca, parse_dsn
from conduit.probe.redis import RedisUrlError, parse_redis_url
from conduit.report.model import Outcome, Report
from conduit.report.output import emit, plan_outputs
from conduit.validate.checks import CHECKS
from conduit.validate.context import Context
from conduit.validate.deadline import Deadline
from conduit.validate.google import GoogleClients
from conduit.validate.identity import ID_TOKEN_ENV, given_token
from conduit.validate.request import CheckSelection, ValidateRequest
from conduit.validate.run import validate
from conduit.validate.storm import CloudRunStorm, LocalStorm, Runner
from conduit.validate.targets import (
    NoPulumiCliError,
    Targets,
    TargetsError,
    from_outputs,
    outputs_file,
    stack_outputs,
    with_service_urls,
)


class ValidateError(ArgumentError):
    """Invalid input to `conduit validate`: exit 2, one line per problem."""


def _selected(selection: CheckSelection | None) -> list:
    ids = [c.ID for c in CHECKS]
    if selection is None:
        return list(CHECKS)
    named = selection.ids
    unknown = [n for n in named if n not in ids]
    if unknown:
        raise ValidateError(
            f"{selection.flag}: unknown check {', '.join(unknown)}; checks: {', '.join(ids)}"
        )
    if selection.flag == "--only":
        return [c for c in CHECKS if c.ID in named]
    return [c for c in CHECKS if c.ID not in named]


def _targets(request: ValidateRequest) -> Targets:
    settings: StackSettings | None = None
    project_dir = request.project_dir
    try:
        if request.stack:
            path = stack_file(project_dir, request.stack)
            settings = load_stack_file(path) if path.is_file() else None
        name = request.stack or (request.outputs.stem if request.outputs else "local")
        if request.outputs:
            targets = from_outputs(
                outputs_file(request.outputs), name, str(request.outputs), settings
            )
        elif request.stack:
            try:
                outputs = stack_outputs(request.stack, project_dir)
                source = f"stack {request.stack}"
            except NoPulumiCliError:
                # The flags name what to reach; the stack file gives the rest.
                if settings is None or not (request.service_urls or request.dsn):
                    raise
                outputs, source = {}, f"{path.name} and flags"
            targets = from_outputs(outputs, name, source, settings)
        else:
            targets = from_outputs({}, name, "flags", None)
    except (TargetsError, SettingsError) as error:
        raise ValidateError(str(error)) from None
    if settings is not None:
        targets = dataclasses.replace(targets, criteria=settings.success_criteria)
    if request.service_urls:
        try:
            targets = with_service_urls(targets, list(request.service_urls))
        except TargetsError as error:
            raise ValidateError(str(error)) from None
    if request.dsn:
        targets = dataclasses.replace(
            targets, dsn=request.dsn, dsn_ca=_dsn_ca(request.dsn_ca) if request.dsn_ca else None
        )
    elif request.dsn_ca:
        raise ValidateError("--dsn-ca: the CA of the server --dsn names; give --dsn too")
    if request.redis_url:
        try:
            parse_redis_url(request.redis_url, request.redis_ca)
        except RedisUrlError as error:
            raise ValidateError(str(error)) from None
        targets = dataclasses.replace(
            targets, redis_url=request.redis_url, redis_ca=request.redis_ca
        )
    if targets.dsn:
        try:
            parse_dsn(targets.dsn)
        except DsnError as error:
            raise ValidateError(str(error)) from None
    return targets


def _dsn_ca(path: Path) -> str:
    """The PEM text of --dsn-ca, refused when it holds no certificate."""
    try:
        return checked_ca(files.read_text(path), f"--dsn-ca: {path}")
    except files.UnreadableFileError as error:
        raise ValidateError(f"--dsn-ca: {error}") from None
    except DsnError as error:
        raise ValidateError(str(error)) from None


def _storm(request: ValidateRequest, targets: Targets, google: GoogleClients) -> Runner | None:
    """auto: local with --dsn; else the stack's probe job if it has one; else local or none."""
    runner = request.storm_runner
    if runner == "auto":
        runner = "cloudrun" if targets.probe_job and not request.dsn else "local"
    if runner == "none":
        return None
    if runner == "cloudrun":
        if not targets.probe_job:
            raise ValidateError("--storm-runner cloudrun: the stack has no probeJob output")
        return CloudRunStorm(google, targets.probe_job)
    if not targets.dsn:
        if request.storm_runner == "local":
            raise ValidateError("--storm-runner local: needs a DSN (--dsn or the stack's outputs)")
        return None
    return LocalStorm(targets.dsn, targets.dsn_ca)


def _one_audience(targets: Targets) -> None:
    """A given identity token names one audience (one service URL): sent to another service, it
    is a credential that service could replay against the first. Several URLs: none given, and
    each URL gets its own token from Application Default Credentials."""
    urls = [s.url for s in targets.services if s.url]
    if len(urls) > 1:
        raise ValidateError(
            f"--id-token (or {ID_TOKEN_ENV}): a token is for one service URL, and {len(urls)} "
            "were given; give none, and Application Default Credentials mint one for each URL"
        )


def _progress(line: str) -> None:
    # A live line on a terminal, plain lines in CI logs.
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\x1b[2K{line}")
    else:
        sys.stderr.write(f"conduit validate: {line}\n")
    sys.stderr.flush()


def validate_request(request: ValidateRequest) -> ExitCode:
    """Run the selected checks against the targets and write the report: its exit code, or
    INVALID_INPUT when every check had to skip (unless allowed); ValidateError or OutputError
    for bad input."""
    formats = list(request.formats) if request.formats is not None else None
    plan_outputs(formats, request.output)  # OutputError before anything runs
    checks = _selected(request.selection)
    targets = _targets(request)
    token = given_token(request.id_token)
    if token:
        _one_audience(targets)
    deadline = Deadline(request.deadline)
    google = GoogleClients(request.api_endpoint)
    ctx = Context(
        targets=targets,
        deadline=deadline,
        google=google,
        storm_tasks=request.storm_tasks,
        storm_runner=_storm(request, targets, google),
        progress=_progress,
        health_wait=request.health_wait,
        id_token=token,
    )
    report = validate(ctx, checks)
    if request.selection is not None and request.selection.flag == "--only":
        report = _selected_checks_must_run(report)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    emit(report, formats, request.output)
    if not request.allow_empty and all(f.outcome is Outcome.SKIPPED for f in report.findings):
        # A stack whose outputs lost a key must not turn "nothing was validated" into a green run.
        print(_nothing_to_validate(report), file=sys.stderr)
        return ExitCode.INVALID_INPUT
    return report.exit_code


def _selected_checks_must_run(report: Report) -> Report:
    """A check named with --only that had to skip is a failure: it was asked for."""
    findings = tuple(
        dataclasses.replace(
            f,
            outcome=Outcome.FAIL,
            severity="high",
            classification=FailureClass.CONFIGURATION,
            message=f"selected with --only but not run: {f.message}",
        )
        if f.outcome is Outcome.SKIPPED
        else f
        for f in report.findings
    )
    return dataclasses.replace(report, findings=findings)


def _nothing_to_validate(report: Report) -> str:
    missing = "; ".join(f"{f.rule}: {f.message}" for f in report.findings)
    return (
        f"nothing to validate: every check was skipped ({missing}). Give what they need "
        "(--stack, --outputs, --service-url, --dsn), or --allow-empty to accept an empty run"
    )

"""`conduit validate`: targets from outputs or flags, the selected checks, one report."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from conduit.core.exitcodes import ExitCode
from conduit.core.failures import FailureClass
from conduit.core.loader import SettingsError, load_stack_file, stack_file
from conduit.core.settings import StackSettings
from conduit.probe.postgres import DsnError, parse_dsn
from conduit.probe.redis import RedisUrlError, parse_redis_url
from conduit.report.model import Outcome, Report
from conduit.report.output import emit, plan_outputs
from conduit.validate.checks import CHECKS
from conduit.validate.context import Context
from conduit.validate.deadline import Deadline
from conduit.validate.google import GoogleClients
from conduit.validate.identity import given_token
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


class ValidateError(ValueError):
    """Invalid input to `conduit validate`: exit 2, one line per problem."""


def _selected(args: argparse.Namespace) -> list:
    ids = [c.ID for c in CHECKS]
    chosen = args.only or args.skip
    if not chosen:
        return list(CHECKS)
    named = [n.strip() for n in chosen.split(",") if n.strip()]
    unknown = [n for n in named if n not in ids]
    if unknown:
        flag = "--only" if args.only else "--skip"
        raise ValidateError(f"{flag}: unknown check {', '.join(unknown)}; checks: {', '.join(ids)}")
    if args.only:
        return [c for c in CHECKS if c.ID in named]
    return [c for c in CHECKS if c.ID not in named]


def _targets(args: argparse.Namespace) -> Targets:
    settings: StackSettings | None = None
    project_dir = args.cwd.resolve()
    try:
        if args.stack:
            path = stack_file(project_dir, args.stack)
            settings = load_stack_file(path) if path.is_file() else None
        name = args.stack or (args.outputs.stem if args.outputs else "local")
        if args.outputs:
            targets = from_outputs(outputs_file(args.outputs), name, str(args.outputs), settings)
        elif args.stack:
            try:
                outputs = stack_outputs(args.stack, project_dir)
                source = f"stack {args.stack}"
            except NoPulumiCliError:
                # The flags name what to reach; the stack file gives the rest.
                if settings is None or not (args.service_url or args.dsn):
                    raise
                outputs, source = {}, f"{path.name} and flags"
            targets = from_outputs(outputs, name, source, settings)
        else:
            targets = from_outputs({}, name, "flags", None)
    except (TargetsError, SettingsError) as error:
        raise ValidateError(str(error)) from None
    if settings is not None:
        targets = dataclasses.replace(targets, criteria=settings.success_criteria)
    if args.service_url:
        try:
            targets = with_service_urls(targets, args.service_url)
        except TargetsError as error:
            raise ValidateError(str(error)) from None
    if args.dsn:
        targets = dataclasses.replace(targets, dsn=args.dsn)
    if args.redis_url:
        try:
            parse_redis_url(args.redis_url, args.redis_ca)
        except RedisUrlError as error:
            raise ValidateError(str(error)) from None
        targets = dataclasses.replace(targets, redis_url=args.redis_url, redis_ca=args.redis_ca)
    if targets.dsn:
        try:
            parse_dsn(targets.dsn)
        except DsnError as error:
            raise ValidateError(str(error)) from None
    return targets


def _storm(args: argparse.Namespace, targets: Targets, google: GoogleClients) -> Runner | None:
    """auto: local with --dsn; else the stack's probe job if it has one; else local or none."""
    runner = args.storm_runner
    if runner == "auto":
        runner = "cloudrun" if targets.probe_job and not args.dsn else "local"
    if runner == "none":
        return None
    if runner == "cloudrun":
        if not targets.probe_job:
            raise ValidateError("--storm-runner cloudrun: the stack has no probeJob output")
        return CloudRunStorm(google, targets.probe_job)
    if not targets.dsn:
        if args.storm_runner == "local":
            raise ValidateError("--storm-runner local: needs a DSN (--dsn or the stack's outputs)")
        return None
    return LocalStorm(targets.dsn)


def _progress(line: str) -> None:
    # A live line on a terminal, plain lines in CI logs.
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\x1b[2K{line}")
    else:
        sys.stderr.write(f"conduit validate: {line}\n")
    sys.stderr.flush()


def validate_command(args: argparse.Namespace) -> int:
    if args.deadline <= 0:
        raise ValidateError(f"--deadline: must be above 0 seconds, got {args.deadline:g}")
    if args.health_wait <= 0:
        raise ValidateError(f"--health-wait: must be above 0 seconds, got {args.health_wait:g}")
    if not 1 <= args.storm_tasks <= 1000:
        raise ValidateError(f"--storm-tasks: must be 1-1000, got {args.storm_tasks}")
    if args.redis_ca and not os.path.isfile(args.redis_ca):
        raise ValidateError(f"--redis-ca: {args.redis_ca}: no such file")
    plan_outputs(args.format, args.output)  # OutputError before anything runs
    checks = _selected(args)
    targets = _targets(args)
    deadline = Deadline(args.deadline)
    google = GoogleClients(args.api_endpoint)
    ctx = Context(
        targets=targets,
        deadline=deadline,
        google=google,
        storm_tasks=args.storm_tasks,
        storm_runner=_storm(args, targets, google),
        progress=_progress,
        health_wait=args.health_wait,
        id_token=given_token(args.id_token),
    )
    report = validate(ctx, checks)
    if args.only:
        report = _selected_checks_must_run(report)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    emit(report, args.format, args.output)
    if not args.allow_empty and all(f.outcome is Outcome.SKIPPED for f in report.findings):
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

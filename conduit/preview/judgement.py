"""A preview or an audit run to its reports: the pack's verdict, or the exit code of what
stopped it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from conduit import interrupts
from conduit.core.exitcodes import ExitCode

if TYPE_CHECKING:
    from conduit.report.model import Report


def judged(args: argparse.Namespace, command: str, judge: Callable[[], Report]) -> ExitCode:
    """Run a preview or an audit (`judge`) and write its reports: the report's exit code, or 2
    for bad input, 3 when the pack or the program failed."""
    from conduit.core.loader import SettingsError
    from conduit.preview import analyzer, policy_config, run
    from conduit.report.output import OutputError, emit, plan_outputs

    try:
        # Refused before anything runs: a run whose reports have nowhere to go.
        plan_outputs(args.format, args.output)
    except OutputError as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
    try:
        report = judge()
    except (SettingsError, policy_config.PolicyConfigError) as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
    except (analyzer.PackError, run.ProgramError) as error:
        # The SDK reports an interruption inside the program as the program's own error.
        interrupts.raise_if_received()
        print(f"conduit {command}: {error}", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR
    try:
        emit(report, args.format, args.output)
    except OutputError as error:
        print(error, file=sys.stderr)
        return ExitCode.INVALID_INPUT
    return report.exit_code

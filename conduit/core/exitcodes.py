"""The exit codes of every conduit command."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """One enum for all commands (documented in the README: Exit codes)."""

    OK = 0
    FINDINGS = 1
    """Findings that fail the run: a mandatory violation, a failed check."""
    INVALID_INPUT = 2
    """Invalid input or configuration: the stack file, a flag, a policy config."""
    INTERNAL_ERROR = 3
    """The program, the pack or conduit itself failed."""
    INTERRUPTED = 130
    """Ctrl-C (SIGINT): stopped cleanly, nothing left running."""
    TERMINATED = 143
    """SIGTERM (how CI cancels a job): stopped cleanly, nothing left running."""

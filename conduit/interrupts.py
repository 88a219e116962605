"""Ctrl-C and SIGTERM as one exception, raised where the program is, and remembered.

`Interrupted` is a `KeyboardInterrupt`, not an `Exception`: every `finally` runs (the policy pack
stopped, connections closed), no error handling mistakes it for a failure, and asyncio, which
catches every other BaseException raised inside a socket write as a "fatal write error" and goes
on, re-raises it (seen: SIGINT during a probe's write, exit 1 instead of 130). Code that runs other
people's code (the Pulumi SDK's event loop turns anything raised in a task into its own error)
asks `received()` before reporting an error that may only be the interruption.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

_received: list[int] = []
_stop_at_once: list[int] = []
"""Processes to kill before the process ends at once (`ends_process`); empty: raise instead."""


class Interrupted(KeyboardInterrupt):
    """The run was interrupted by `signum`."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _handle(signum: int, _frame: object) -> None:
    _received.append(signum)
    if _stop_at_once:
        for pid in _stop_at_once:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue
        os.write(2, b"interrupted\n")
        os._exit(128 + signum)
    raise Interrupted(signum)


@contextmanager
def ends_process(pid: int) -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM kill `pid`, print "interrupted" and end the
    process with 128 + the signal, raising nothing: for a block that holds nothing to lose and
    runs other people's code (the Pulumi program under the SDK's event loop), where an exception
    raised at a random point can land inside an object's construction and leave a traceback on
    stderr (seen: asyncio's loop interrupted before it had its `_ssock`)."""
    _stop_at_once.append(pid)
    try:
        yield
    finally:
        _stop_at_once.remove(pid)


def received() -> int | None:
    """The first signal received, if any."""
    return _received[0] if _received else None


def raise_if_received() -> None:
    """Turn an error that followed an interruption back into the interruption."""
    if _received:
        raise Interrupted(_received[0])


@contextmanager
def handled() -> Iterator[None]:
    """SIGINT and SIGTERM raise Interrupted while the block runs (CI cancels with SIGTERM; a
    shell may have told a background job to ignore SIGINT)."""
    previous = {s: signal.signal(s, _handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

"""The Pulumi SDK's private names the offline preview needs, in one place.

The mock runtime has no public way to run a program to completion outside the CLI, or to mark a
recorded value secret the way the engine's wire format does. tests/test_sdk_adapter.py fails
loudly when an SDK upgrade moves any of these.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.sync_await import _sync_await

T = TypeVar("T")

SIG_KEY: str = rpc._special_sig_key
"""The key that marks a special value (secret, asset, ...) in a serialized property."""
SECRET_SIG: str = rpc._special_secret_sig
"""Its value for a secret."""


def ensure_event_loop() -> None:
    """Give this thread a current event loop if it has none. The SDK asks for the current loop
    (`asyncio.get_event_loop`) as it registers resources; once anything in the process has
    finished an `asyncio.run`, there is none, and the SDK would fail."""
    try:
        asyncio.get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


def fresh_root_stack() -> None:
    """Forget the previous run's root stack: `set_mocks` keeps the one it finds, with every
    output an earlier program in this process exported."""
    runtime_settings.ROOT.set(None)


def run_to_completion(awaitable: Awaitable[T]) -> T:
    """Run a coroutine on the SDK's own event loop, as the CLI's language host does."""
    return _sync_await(awaitable)


def wrap_secret(value: Any) -> dict[str, Any]:
    """`value` marked secret in the engine's wire format."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def is_secret(value: Any) -> bool:
    """Whether a serialized property (a protobuf Struct) is marked secret."""
    return hasattr(value, "keys") and SIG_KEY in value and value[SIG_KEY] == SECRET_SIG

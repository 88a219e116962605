"""The Pulumi SDK's private names the offline preview needs, in one place.

The mock runtime has no public way to run a program to completion outside the CLI, or to mark a
recorded value secret the way the engine's wire format does. tests/preview/test_sdk_adapter.py fails
loudly when an SDK upgrade moves any of these.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pulumi
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


NOT_DECRYPTED = "[secret: not decrypted offline]"
"""What a plain getter (`config.require`) reads of an encrypted key offline."""
SECRET_GETTERS = (
    "get_secret",
    "require_secret",
    "get_secret_object",
    "require_secret_object",
    "get_secret_int",
    "require_secret_int",
    "get_secret_float",
    "require_secret_float",
    "get_secret_bool",
    "require_secret_bool",
)
"""`pulumi.Config`'s getters that return a secret Output."""


def unknown_secret() -> pulumi.Output[Any]:
    """An Output that is secret and unknown, as an undecrypted secret is to a preview."""

    async def value() -> Any:
        return None

    async def flag(result: bool) -> bool:
        return result

    return pulumi.Output(set(), value(), flag(False), flag(True))


@contextmanager
def secret_unknowns(keys: set[str]) -> Iterator[None]:
    """While the program runs, `pulumi.Config`'s secret getters give a secret unknown for each
    of `keys` (full `namespace:name` keys). The SDK has no hook for config it cannot decrypt."""
    if not keys:
        yield
        return
    originals = {name: getattr(pulumi.Config, name) for name in SECRET_GETTERS}

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def getter(self: pulumi.Config, key: str, *args: Any, **kwargs: Any) -> Any:
            if self.full_key(key) in keys:
                return unknown_secret()
            return original(self, key, *args, **kwargs)

        return getter

    for name, original in originals.items():
        setattr(pulumi.Config, name, wrap(original))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(pulumi.Config, name, original)

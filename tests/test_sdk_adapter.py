"""The SDK's private names behind conduit/preview/sdk.py: an upgrade that moves them fails here."""

from __future__ import annotations

import asyncio

from google.protobuf import struct_pb2

from conduit.preview import sdk


def test_the_secret_marker_is_the_engine_s_wire_format() -> None:
    # The values the engine's `resource.SecretSig` uses (sdk/go/common/resource/sig).
    assert (sdk.SIG_KEY, sdk.SECRET_SIG) == (
        "4dabf18193072939515e22adb298388d",
        "1b47061264138c4ac30d75fd1eb44270",
    )
    marked = struct_pb2.Struct()
    marked.update({"x": sdk.wrap_secret("v")})
    assert (
        sdk.is_secret(marked["x"])
        and not sdk.is_secret(struct_pb2.Struct())
        and not sdk.is_secret("v")
    )


def test_run_to_completion_runs_a_coroutine() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert sdk.run_to_completion(answer()) == 42

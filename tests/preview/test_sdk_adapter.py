"""The SDK's private names behind conduit/preview/sdk.py: an upgrade that moves them fails here."""

from __future__ import annotations

import asyncio

from google.protobuf import struct_pb2

from conduit.preview import sdk
from conduit.preview.plan import plan_stack
from tests.support.project import ROOT


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


def test_a_program_still_runs_after_an_asyncio_run_in_the_same_process() -> None:
    """asyncio.run leaves the thread without a current loop, which the SDK asks for (the
    validator's checks run asyncio in-process)."""
    asyncio.run(asyncio.sleep(0))
    recording = plan_stack(ROOT, "staging").recording
    assert any(r.type == "gcp:cloudrunv2/service:Service" for r in recording.resources)


def test_a_second_program_in_the_same_process_starts_from_a_fresh_root_stack() -> None:
    """The incident example exports serviceUrl; the committed staging stack (two services)
    does not, and must not inherit it."""
    plan_stack(ROOT / "examples" / "incident", "incident")
    outputs = plan_stack(ROOT, "staging").recording.stack_outputs
    assert "services" in outputs and "serviceUrl" not in outputs

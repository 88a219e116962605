"""The command line's shared argument types (conduit/arguments.py): each at its limit and one
step past, refused with the one line the user sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from conduit import arguments
from conduit.arguments import ArgumentError


def test_a_count_is_taken_at_both_limits_and_refused_one_step_past() -> None:
    assert arguments.count_within("--connections", 1, 1, 1000) == 1
    assert arguments.count_within("--connections", 1000, 1, 1000) == 1000
    for value in (0, 1001):
        with pytest.raises(ArgumentError) as refused:
            arguments.count_within("--connections", value, 1, 1000)
        assert str(refused.value) == f"--connections: must be 1-1000, got {value}"


def test_a_positive_duration_refuses_zero_and_takes_the_least_above_it() -> None:
    assert arguments.seconds_above_zero("--deadline", 0.001) == 0.001
    with pytest.raises(ArgumentError) as refused:
        arguments.seconds_above_zero("--deadline", 0)
    assert str(refused.value) == "--deadline: must be above 0 seconds, got 0"


def test_a_hold_takes_zero_and_refuses_below_it() -> None:
    assert arguments.seconds_from_zero("--hold", 0) == 0
    with pytest.raises(ArgumentError) as refused:
        arguments.seconds_from_zero("--hold", -0.5)
    assert str(refused.value) == "--hold: must be 0 or more seconds, got -0.5"


def test_a_file_must_exist_when_given(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("pem")
    assert arguments.existing_file("--redis-ca", str(ca)) == str(ca)
    assert arguments.existing_file("--redis-ca", None) is None
    with pytest.raises(ArgumentError) as refused:
        arguments.existing_file("--redis-ca", str(tmp_path / "none.pem"))
    assert str(refused.value) == f"--redis-ca: {tmp_path / 'none.pem'}: no such file"


def test_every_command_has_the_one_shape() -> None:
    from conduit.cli import COMMANDS

    assert list(COMMANDS) == ["preview", "audit", "policy-pack", "probe", "validate"]
    for name, command in COMMANDS.items():
        assert command.HELP and command.epilog().startswith(("example:", "checks")), name
        assert callable(command.add_arguments) and callable(command.run), name

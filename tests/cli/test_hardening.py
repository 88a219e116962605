"""A report that cannot be written is a user's mistake: one line naming the path, exit 2."""

from __future__ import annotations

import pytest

from tests.support.cli import conduit


@pytest.mark.parametrize("command", [("preview",), ("validate", "--allow-empty")])
def test_an_unwritable_output_is_one_line_and_exit_2(tmp_path, command) -> None:
    in_the_way = tmp_path / "report.json"
    in_the_way.mkdir()
    for target, reason in ((in_the_way, "Is a directory"), ("/proc/conduit/x.json", None)):
        result = conduit(*command, "--output", str(target))
        assert result.returncode == 2, result.stderr
        (line,) = [
            line
            for line in result.stderr.splitlines()
            if not line.startswith("conduit validate: ")  # CI progress lines
        ]
        assert line.startswith(f"--output {target}: cannot write the report: "), line
        if reason:
            assert line.endswith(reason)
        assert "Traceback" not in result.stderr

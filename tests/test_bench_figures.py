"""bench/README.md holds one figures section per script that records one, each saying where its
figures come from (a run: date, commit, machine; or carried over from the README), and a script's
run rewrites its own section and nothing else."""

from __future__ import annotations

import re
from collections import Counter

from bench import figures
from tests.support.project import ROOT

README = (ROOT / "bench" / "README.md").read_text()
RECORDERS = [*(ROOT / "bench").glob("*.py"), ROOT / "scripts" / "mutation-score.py"]


def _recorded() -> dict[str, str]:
    """Section name -> the script that records it, read from the scripts' own calls."""
    found = {}
    for path in RECORDERS:
        for name, script in re.findall(
            r'figures\.record\(\s*"([a-z-]+)",.*?"([\w/-]+\.py)"', path.read_text(), re.S
        ):
            assert script == str(path.relative_to(ROOT)), (name, script, path)
            found[name] = script
    return found


def test_every_recording_script_has_exactly_one_section_and_every_section_a_script() -> None:
    starts = Counter(re.findall(r"<!-- figures: ([a-z-]+) -->", README))
    assert all(count == 1 for count in starts.values()), starts
    assert set(figures.sections(README)) == set(starts) == set(_recorded())
    assert set(_recorded()) == {"preview", "probe", "fresh-clone", "probe-install", "mutation"}


def test_every_section_says_where_its_figures_come_from() -> None:
    recorded = _recorded()
    for name, body in figures.sections(README).items():
        header, _, rest = body.partition("\n")
        assert figures.HEADER.match(header), (name, header)
        assert f"by `{recorded[name]}`" in header, (name, header)
        assert re.fullmatch(r"\n```text\n(.+\n)+```\n", rest), (name, rest)


def test_a_run_rewrites_its_own_section_only(tmp_path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README)
    figures.record("probe", ["a figure: 1.00x", "another: 2 ms"], "bench/probe.py", readme)
    written = readme.read_text()
    assert {k: v for k, v in figures.sections(written).items() if k != "probe"} == {
        k: v for k, v in figures.sections(README).items() if k != "probe"
    }
    header, _, rest = figures.sections(written)["probe"].partition("\n")
    assert re.match(
        r"Recorded \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC at `[0-9a-f]+(\+changes)?` by "
        r"`bench/probe\.py` \(\d+ cores, load [0-9.]+\)\.$",
        header,
    ), header
    assert rest == "\n```text\na figure: 1.00x\nanother: 2 ms\n```\n"
    assert written.replace(figures.sections(written)["probe"], "") == README.replace(
        figures.sections(README)["probe"], ""
    )


def test_a_section_that_is_not_there_is_a_clear_error(tmp_path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n")
    try:
        figures.record("probe", ["x"], "bench/probe.py", readme)
    except SystemExit as error:
        assert "no section <!-- figures: probe --> ... <!-- /figures: probe -->" in str(error)
    else:
        raise AssertionError("no error for a missing section")


def test_the_mutation_score_is_recorded_as_make_mutation_prints_it(tmp_path) -> None:
    import json
    import runpy

    score = runpy.run_path(str(ROOT / "scripts" / "mutation-score.py"))
    rules = tmp_path / "mutants" / "policies" / "rules"
    rules.mkdir(parents=True)
    (rules / "a.py.meta").write_text(
        json.dumps({"exit_code_by_key": {"m1": 1, "m2": 0, "m3": 1, "m4": None}})
    )
    lines, failed = score["report"](score["scores"](tmp_path / "mutants"), {"policies/rules": "95"})
    assert (lines, failed) == (["policies/rules: 66.7 % killed (2 of 3)  (goal 95 %)"], True)

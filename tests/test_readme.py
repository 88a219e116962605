"""The README is a front door: short, its first commands `make preview` and `make test` (.ci/run
and the workflows rely on them), the sections a new user needs, and a way to every page of docs/;
every relative link in the README, docs/ and bench/README.md resolves."""

from __future__ import annotations

import re
from pathlib import Path

from conduit.core.violation import SECURITY
from policies import rules
from tests.support.project import ROOT

README = ROOT / "README.md"
TEXT = README.read_text()
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _section(title: str) -> str:
    return TEXT.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


def _links(path: Path) -> list[tuple[Path, str]]:
    """The relative links of a Markdown file: (target file, anchor or "")."""
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    # Code spans hold patterns that look like links (`^[a-z](...)`); a link's text may be one.
    text = re.sub(r"`[^`\n]*`", "", text)
    found = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        found.append(((path.parent / file).resolve() if file else path.resolve(), anchor))
    return found


def _pages() -> list[Path]:
    return [README, ROOT / "bench" / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_the_first_two_commands_are_preview_and_test() -> None:
    block = re.search(r"```sh\n(.*?)```", TEXT, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands[:2] == ["make preview", "make test"]


def test_the_readme_is_a_front_door_under_12_kb() -> None:
    assert len(TEXT.encode()) < 12 * 1024
    first_screen = TEXT[: TEXT.index("\n## ")]
    assert "Conduit is" in first_screen and "Where to go next" in first_screen


def test_the_readme_keeps_the_sections_a_new_user_needs() -> None:
    titles = re.findall(r"^## (.+)$", TEXT, re.M)
    for title in ("Quick start", "Guard your own program", "Security", "Exit codes",
                  "Make targets", "Documentation"):  # fmt: skip
        assert title in titles, title


def test_guard_your_own_program_shows_the_three_ways_in_and_what_is_inspected() -> None:
    section = _section("Guard your own program")
    for command in (
        "conduit preview --cwd",
        'pulumi preview --policy-pack "$(conduit policy-pack path)"',
        "conduit audit --state",
        "**What is inspected**",
    ):
        assert command in section, command


def test_the_security_summary_links_the_full_section() -> None:
    assert "](docs/security.md)" in _section("Security")
    security = (ROOT / "docs" / "security.md").read_text()
    for part in ("**Identities and their roles**", "**What is public, and why.**",
                 "**The pack against Checkov and Trivy**"):  # fmt: skip
        assert part in security, part
    # Every rule the pack tags as a security rule is set against Checkov's and Trivy's ids.
    table = security.split("**The pack against Checkov and Trivy**", 1)[1].split("\n\n**", 1)[0]
    listed = set(re.findall(r"`([a-z0-9-]+)`", table))
    tagged = {m.POLICY.name for m in rules.MODULES if SECURITY in m.POLICY.tags}
    assert tagged <= listed, tagged - listed


def test_the_exit_codes_table_lists_every_exit_code() -> None:
    from conduit.core.exitcodes import ExitCode

    listed = {
        int(code)
        for row in re.findall(r"^\| ([0-9, ]+) \|", _section("Exit codes"), re.M)
        for code in row.split(",")
    }
    assert listed == {int(code) for code in ExitCode}


def test_the_make_targets_table_lists_every_target_a_user_runs() -> None:
    listed = set(re.findall(r"^\| `make ([a-z0-9]+)` \|", _section("Make targets"), re.M))
    phony = set(
        re.search(r"^\.PHONY: (.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()
    )
    # postgres, redis and pulumi are set-up steps that test and e2e run themselves.
    assert listed == phony - {"postgres", "redis", "pulumi"}


def test_every_docs_page_is_reached_from_the_readme() -> None:
    reached, todo = set(), [README.resolve()]
    while todo:
        page = todo.pop()
        if page in reached or page.suffix != ".md" or not page.exists():
            continue
        reached.add(page)
        todo += [target for target, _ in _links(page)]
    unreached = {p.resolve() for p in (ROOT / "docs").rglob("*.md")} - reached
    assert not unreached, sorted(str(p.relative_to(ROOT)) for p in unreached)


def test_every_relative_link_resolves() -> None:
    broken = [
        f"{page.relative_to(ROOT)} -> {target.relative_to(ROOT)}#{anchor}"
        for page in _pages()
        for target, anchor in _links(page)
        if not target.exists()
        or (anchor and target.suffix == ".md" and anchor not in _anchors(target))
    ]
    assert not broken, broken

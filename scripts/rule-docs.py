#!/usr/bin/env python3
"""Write docs/rules/<policy>.md for every rule of the pack, from the rule's own metadata (name,
description, severity, enforcement, remediation, resource types, config, the Checkov and Trivy ids
its module names) and its good and bad examples, the ones tests/policies/test_rules.py runs.

Run: make docs   (tests/test_rule_docs.py fails when a committed page is not what this writes)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pulumi_policy import ResourceValidationPolicy  # noqa: E402

from conduit.core import suppression  # noqa: E402
from conduit.core.violation import INSPECTS, SECURITY  # noqa: E402
from policies import rules  # noqa: E402
from policies.guard import samples  # noqa: E402
from policies.guard.examples import Bad, Examples, Of, Res, Want  # noqa: E402

PAGES = ROOT / "docs" / "rules"
IDS = re.compile(r"\b(?:CKV2?_GCP_\d+|AVD-GCP-\d+)\b")
REMOVED = object()


def _plain(value: Any) -> Any:
    """A value as JSON shows it: the engine's unknown marker by name, a resource by its URN."""
    if value == samples.UNKNOWN:
        return "<unknown at preview>"
    if isinstance(value, Res):
        return value.urn
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _json(value: Any) -> str:
    return json.dumps(_plain(value), ensure_ascii=False)


def _changes(base: Any, other: Any, path: str = "") -> list[tuple[str, Any]]:
    """Where `other` differs from `base`, as (path, new value or REMOVED), shallowest first."""
    if isinstance(base, dict) and isinstance(other, dict):
        changes: list[tuple[str, Any]] = []
        for key in [*base, *(k for k in other if k not in base)]:
            where = f"{path}.{key}" if path else str(key)
            if key not in other:
                changes.append((where, REMOVED))
            elif key not in base:
                changes.append((where, other[key]))
            else:
                changes += _changes(base[key], other[key], where)
        return changes
    if _named(base) and _named(other):
        # Lists of named entries (env vars, flags) by name, as the rules' own paths write them.
        return _changes(_by_name(base), _by_name(other), path)
    if isinstance(base, list) and isinstance(other, list) and len(base) == len(other):
        return [
            c
            for i, (a, b) in enumerate(zip(base, other, strict=True))
            for c in _changes(a, b, f"{path}.{i}")
        ]
    return [] if _plain(base) == _plain(other) else [(path, other)]


def _named(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    names = [item.get("name") if isinstance(item, dict) else None for item in value]
    return all(isinstance(n, str) for n in names) and len(set(names)) == len(names)


def _by_name(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {entry["name"]: {k: v for k, v in entry.items() if k != "name"} for entry in entries}


def _change_lines(changes: list[tuple[str, Any]]) -> list[str]:
    return [
        f"  - `{path}` removed" if value is REMOVED else f"  - `{path}`: `{_json(value)}`"
        for path, value in changes
    ] or ["  - nothing changed"]


def _resource_lines(base: Any, subject: Any) -> list[str]:
    if isinstance(subject, Of):
        return [f"- as a `{subject.resource_type}`: `{_json(subject.props)}`"]
    return ["- the first good example with:", *_change_lines(_changes(base, subject))]


def _stack_lines(base: list[Res], subject: list[Res]) -> list[str]:
    """A stack example against the first good one, resource by resource (by URN); a resource
    the first one lacks, against the first one's resource of its type when there is one."""
    before = {r.urn: r for r in base}
    lines = [f"  - without `{r.urn}`" for r in base if r.urn not in {s.urn for s in subject}]
    for res in subject:
        old = before.get(res.urn)
        like = next((r for r in base if r.resource_type == res.resource_type), None)
        if old is None and like is None:
            extra = f", depends on {_json(res.dependencies)}" if res.dependencies else ""
            lines.append(f"  - with `{res.urn}`{extra}: `{_json(res.props)}`")
            continue
        changes = [
            (path.removeprefix("props."), value)
            for path, value in _changes(_whole(old or like), _whole(res))
        ]
        if old is None:
            lines.append(f"  - with `{res.urn}`, like `{like.urn}` but:")
        elif changes:
            lines.append(f"  - `{res.urn}` with:")
        else:
            continue
        lines += [f"  {line}" for line in _change_lines(changes)]
    return ["- the first good example's stack with:", *(lines or ["  - nothing changed"])]


def _whole(res: Res) -> dict[str, Any]:
    return {"props": res.props, "dependencies": res.dependencies, "parent": res.parent}


def _base_block(stack: bool, base: Any) -> list[str]:
    if stack:
        lines = ["The first good example, the stack the others change:", ""]
        for res in base:
            deps = f", depends on {_json(res.dependencies)}" if res.dependencies else ""
            parent = f", child of `{_plain(res.parent)}`" if res.parent else ""
            lines.append(f"- `{res.urn}`{parent}{deps}: `{_json(res.props)}`")
        return [*lines, ""]
    return [
        "The first good example, the properties the others change:",
        "",
        "```json",
        json.dumps(_plain(base), indent=2, ensure_ascii=False),
        "```",
        "",
    ]


def _want_lines(want: Want) -> list[str]:
    facts = [f"at {', '.join(f'`{p}`' for p in want.paths)}" if want.paths else "at the resource"]
    if want.observed is not None:
        facts.append(f"observed `{_json(want.observed)}`")
    if want.required is not None:
        facts.append(f"required `{_json(want.required)}`")
    if want.urn:
        facts.append(f"about `{want.urn}`")
    lines = [f"  - {want.message}", f"    ({'; '.join(facts)})"]
    lines += [
        f"    related: `{r[0]}` `{r[1]}`{f': {r[2]}' if len(r) > 2 else ''}" for r in want.related
    ]
    return lines


def _examples(module: ModuleType, stack: bool) -> list[str]:
    examples: Examples = module.EXAMPLES
    base = examples.good[0]
    describe = _stack_lines if stack else _resource_lines
    lines = [
        "## Examples",
        "",
        "Stored beside the rule (`EXAMPLES`); `tests/policies/test_rules.py` runs each: every good "
        "example "
        "yields no finding, every bad one exactly the findings listed.",
        "",
        *_base_block(stack, base),
    ]
    if examples.good_config:
        lines += [
            f"The good examples run with the policy config `{_json(examples.good_config)}`.",
            "",
        ]
    lines += ["### Good", ""]
    for index, good in enumerate(examples.good[1:], start=2):
        lines += [f"Good example {index}:", "", *describe(base, good), ""]
    if len(examples.good) == 1:
        lines += ["Only the first one, above.", ""]
    lines += ["### Bad", ""]
    for index, bad in enumerate(examples.bad, start=1):
        assert isinstance(bad, Bad)
        lines += [f"Bad example {index}:", "", *describe(base, bad.subject)]
        if bad.config:
            lines.append(f"- with the policy config `{_json(bad.config)}`")
        lines += ["- finds:", *[line for want in bad.expect for line in _want_lines(want)], ""]
    return lines


def _config_lines(policy: Any) -> list[str]:
    lines = [
        "## Configuration",
        "",
        f'In the policy config under `"{policy.name}"`; every policy also takes `suppress` '
        "(suppressions with a reason: [the offline preview](../preview.md)).",
        "",
    ]
    keys = {k: v for k, v in policy.config_schema.properties.items() if k != suppression.KEY}
    if not keys:
        return [*lines, "No keys of its own.", ""]
    lines += ["| key | default | schema |", "|---|---|---|"]
    for key, spec in keys.items():
        default = f"`{_json(spec['default'])}`" if "default" in spec else "none"
        rest = {k: v for k, v in spec.items() if k != "default"}
        lines.append(f"| `{key}` | {default} | `{_json(rest)}` |")
    return [*lines, ""]


def page(module: ModuleType) -> str:
    """One rule's page, in Markdown."""
    policy = module.POLICY
    source = Path(module.__file__ or "").relative_to(ROOT)
    stack = not isinstance(policy, ResourceValidationPolicy)
    types = [tag.removeprefix(INSPECTS) for tag in policy.tags if tag.startswith(INSPECTS)]
    ids = list(dict.fromkeys(IDS.findall((ROOT / source).read_text())))
    doc = (module.__doc__ or "").strip().split("\n", 1)
    summary = doc[0].removeprefix(f"{policy.name}: ")
    inspects = ", ".join(f"`{t}`" for t in types)
    if stack:
        inspects = f"the whole stack{f'; judges the settings of {inspects}' if inspects else ''}"
    rows = [
        ("kind", "stack rule" if stack else "resource rule"),
        ("inspects", inspects),
        ("severity", policy.severity.value),
        ("default enforcement", policy.enforcement_level.value),
        ("security", "yes (`category:security`: SARIF security-severity)" if SECURITY in policy.tags
         else "no"),
        ("Checkov", ", ".join(i for i in ids if i.startswith("CKV")) or "none named"),
        ("Trivy", ", ".join(i for i in ids if i.startswith("AVD")) or "none named"),
        ("source", f"[`{source}`](../../{source})"),
    ]  # fmt: skip
    lines = [
        f"<!-- Generated by scripts/rule-docs.py from {source}: run `make docs`, do not edit. -->",
        "",
        f"# {policy.name}",
        "",
        policy.description,
        "",
        f"What it asserts: {summary}",
        "",
    ]
    if len(doc) > 1 and doc[1].strip():
        lines += [doc[1].strip(), ""]
    lines += ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), ""]
    lines += ["## Remediation", "", policy.remediation_steps, ""]
    lines += _config_lines(policy)
    lines += _examples(module, stack)
    lines += ["Back to the [policy catalogue](../policies.md).", ""]
    return "\n".join(lines)


def pages() -> dict[str, str]:
    """Every page, by file name under docs/rules/."""
    return {f"{module.POLICY.name}.md": page(module) for module in rules.MODULES}


def main() -> None:
    wanted = pages()
    PAGES.mkdir(parents=True, exist_ok=True)
    for stale in sorted(set(p.name for p in PAGES.glob("*.md")) - wanted.keys()):
        (PAGES / stale).unlink()
        print(f"removed docs/rules/{stale}")
    for name, text in wanted.items():
        path = PAGES / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote docs/rules/{name}")


if __name__ == "__main__":
    main()

"""Print settings of a stack file, space-separated: `stack-value.py STACK KEY[.PATH] ...`.

For shell steps (the deploy workflow) that need a value the stack file holds, such as the probe
image to build and push; exits 2 with the file and key when one is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from conduit.core.loader import yaml_problem


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: stack-value.py STACK KEY[.PATH] ...", file=sys.stderr)
        return 2
    stack, keys = argv[0], argv[1:]
    path = Path(f"Pulumi.{stack}.yaml")
    try:
        config = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("config") or {}
    except OSError as error:
        print(f"{path}: cannot be read: {error.strerror}", file=sys.stderr)
        return 2
    except yaml.YAMLError as error:
        print(f"{path}: not valid YAML: {yaml_problem(error)}", file=sys.stderr)
        return 2
    values = []
    for key in keys:
        top, *rest = key.split(".")
        value = config.get(top)
        for part in rest:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None or isinstance(value, (dict, list)):
            print(f"{path}: {key}: no such value", file=sys.stderr)
            return 2
        values.append(str(value))
    print(" ".join(values))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

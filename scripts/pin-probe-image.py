"""Pin the probe image a deploy built: `pin-probe-image.py STACK IMAGE:COMMIT@sha256:DIGEST`.

The committed stack file names the probe's repository alone (`conduit:probeJob.image`, no tag):
each deploy builds the image from its own commit, pushes it as `REPOSITORY:<commit>` (a tag that
is never pushed over) and writes that tag with the pushed digest into the runner's copy of the
stack file, so `pulumi up` deploys exactly the bytes it built. Only the image line changes;
exits 2 with the file and the reason when the image does not fit.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from conduit.core.loader import yaml_problem

KEY = "conduit:probeJob"
PINNED = re.compile(
    r"^(?P<repository>[^@:\s]+(?::\d+)?/[^@:\s]+):(?P<commit>[0-9a-f]{40})@sha256:[0-9a-f]{64}$"
)


def pin(text: str, image: str) -> str:
    """The stack file's text with the probe image set to `image`; ValueError says why not."""
    config = (yaml.safe_load(text) or {}).get("config") or {}
    repository = (config.get(KEY) or {}).get("image")
    if not isinstance(repository, str):
        raise ValueError(f"{KEY}.image: no such value")
    if ":" in repository.rsplit("/", 1)[-1] or "@" in repository:
        raise ValueError(
            f"{KEY}.image: must name the repository alone (the deploy tags each image with its "
            "commit), not a tag or digest"
        )
    given = PINNED.match(image)
    if given is None:
        raise ValueError(f"the image must be REPOSITORY:<40-hex commit>@sha256:<digest>: {image}")
    if given["repository"] != repository:
        raise ValueError(f"{KEY}.image: the stack's repository is {repository}, not {image}")
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip() == f"  {KEY}:")
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if line.strip() and not line.startswith("   "):
            break
        if re.match(r"^    image:", line):
            lines[index] = f"    image: {image}\n"
            pinned = "".join(lines)
            assert yaml.safe_load(pinned)["config"][KEY]["image"] == image
            return pinned
    raise ValueError(f"{KEY}.image: not written as `    image: ...` in the block")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: pin-probe-image.py STACK IMAGE:COMMIT@sha256:DIGEST", file=sys.stderr)
        return 2
    path = Path(f"Pulumi.{argv[0]}.yaml")
    try:
        path.write_text(pin(path.read_text(encoding="utf-8"), argv[1]), encoding="utf-8")
    except yaml.YAMLError as error:
        print(f"{path}: not valid YAML: {yaml_problem(error)}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{path}: cannot be read or written: {error.strerror}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

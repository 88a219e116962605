"""Where the policy pack is: the `policies` package installed with conduit."""

from __future__ import annotations

import importlib.util
from pathlib import Path


class PackNotInstalledError(RuntimeError):
    """The `policies` package is not installed beside conduit."""


def installed_pack_dir() -> Path:
    """The installed pack's directory (its PulumiPolicy.yaml beside its __main__.py)."""
    spec = importlib.util.find_spec("policies")
    if spec is None or not spec.submodule_search_locations:
        raise PackNotInstalledError(
            "the policy pack is not installed: pip install 'conduit[all]' installs it (the "
            "`policies` package)"
        )
    directory = Path(next(iter(spec.submodule_search_locations))).resolve()
    if not (directory / "PulumiPolicy.yaml").is_file():
        raise PackNotInstalledError(
            f"{directory}: no PulumiPolicy.yaml: the installed `policies` package is not "
            "conduit's pack"
        )
    return directory

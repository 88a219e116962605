"""Which settings key produced which property of a resource: the preview's source map.

Components declare, beside each resource they create, the settings keys its properties come
from. A declared path covers the paths below it: the rest of the path is appended to the key
(`startupProbe` -> `conduit:service.startupProbe` also places `startupProbe.failureThreshold`),
and the preview keeps the deepest key the stack file really has. The root path "" names the
block the whole resource comes from. Under `pulumi up` the map is built and never read.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import pulumi

_SOURCES: dict[str, dict[str, str]] = {}
_LOCK = threading.Lock()


def declare(resource: pulumi.Resource, sources: Mapping[str, str]) -> None:
    """Record that `resource`'s property paths come from these settings keys."""
    declared = dict(sources)

    def record(urn: str) -> None:
        with _LOCK:
            _SOURCES.setdefault(urn, {}).update(declared)

    resource.urn.apply(record)


def collected() -> dict[str, dict[str, str]]:
    """URN -> {property path: settings key}, for everything declared since `reset`."""
    with _LOCK:
        return {urn: dict(paths) for urn, paths in _SOURCES.items()}


def reset() -> None:
    with _LOCK:
        _SOURCES.clear()


def settings_key(sources: Mapping[str, Mapping[str, str]], urn: str, path: str) -> str | None:
    """The settings key behind `path` of `urn`: the longest declared prefix, plus the rest."""
    declared = sources.get(urn, {})
    parts = path.split(".") if path else []
    for length in range(len(parts), -1, -1):
        key = declared.get(".".join(parts[:length]))
        if key is not None:
            return ".".join([key, *parts[length:]])
    return None

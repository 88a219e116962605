"""Which resources Conduit's components built.

Some advice is about Conduit's own conventions (its probe job, its `conduit-covers` alert
labels, keys of a Conduit stack file): said of a program that does not use Conduit's components,
it asks for settings that program has no place for. The engine writes every parent's type into a
resource's URN (`urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>`,
https://www.pulumi.com/docs/iac/concepts/resources/names/#urns), so the URN says whether a
Conduit component (`conduit:<module>:<Type>`) is among the parents, under the Pulumi CLI, the
offline preview and an exported state alike.
"""

from __future__ import annotations

from typing import Any

COMPONENT_PACKAGE = "conduit"


def built_by_conduit(resource: Any) -> bool:
    """Whether one of a Conduit component's children is `resource` (at any depth)."""
    parts = str(resource.urn).split("::")
    if len(parts) < 4:
        return False
    *parents, _own = parts[2].split("$")
    return any(t.split(":", 1)[0] == COMPONENT_PACKAGE for t in parents)

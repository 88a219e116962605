"""Resource options for a component's children: the component's own dependencies reach them too.

Pulumi does not pass a component's `depends_on` down to its children, so a stack-wide
prerequisite (the enabled APIs) would not hold for the resources that need it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi import ResourceOptions


def child_options(
    parent: pulumi.Resource,
    opts: ResourceOptions | None,
    depends_on: Sequence[pulumi.Resource] = (),
) -> ResourceOptions:
    """`parent=parent`, depending on what the parent was told to wait for and on `depends_on`."""
    inherited: Any = opts.depends_on if opts is not None and opts.depends_on else []
    if not isinstance(inherited, list):
        inherited = [inherited]
    waits = [*inherited, *depends_on]
    return ResourceOptions(parent=parent, depends_on=waits or None)

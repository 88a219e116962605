"""The protocol floor: a pack whose policies do nothing (the SDK refuses a pack with none).

CONDUIT_BENCH_NOOP_POLICIES="R,S" makes R resource and S stack no-op policies (default 1,1), so
the bench can also measure the SDK's own per-policy cost apart from what the rules do.
"""

import os

from pulumi_policy import PolicyPack, ResourceValidationPolicy, StackValidationPolicy

resource_count, stack_count = (
    int(n) for n in os.environ.get("CONDUIT_BENCH_NOOP_POLICIES", "1,1").split(",")
)
PolicyPack(
    name="empty",
    policies=[
        *(
            ResourceValidationPolicy(f"noop-resource-{i}", "No-op.", validate=lambda a, r: None)
            for i in range(resource_count)
        ),
        *(
            StackValidationPolicy(f"noop-stack-{i}", "No-op.", validate=lambda a, r: None)
            for i in range(stack_count)
        ),
    ],
)

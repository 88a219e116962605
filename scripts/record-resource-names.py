#!/usr/bin/env python3
"""Print every committed stack's resource URNs and the name-bearing inputs of each, as JSON.

Run before and after a change that touches names (tests/fixtures/resource_names.json is its output
on the commit before #27): `.venv/bin/python scripts/record-resource-names.py > FILE`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conduit.preview.names_record import COMMITTED_STACKS, record  # noqa: E402

if __name__ == "__main__":
    print(
        json.dumps(
            {s: record(ROOT / d, s) for s, d in COMMITTED_STACKS.items()}, indent=1, sort_keys=True
        )
    )

"""The stand-ins' Google Cloud project: which resources exist, in one JSON file per project.

Several provider processes share one project (the engine starts one per provider instance and
per run), so every change is read, made and written under an exclusive file lock. `declared`
holds the short names the stack's resources gave themselves in Check (the preview that every
`pulumi up` runs first sees them all); `existing` holds what Create made and Delete has not
removed, by URN (the mocks' ids need not be unique: a database and a user both named
`app`). A reference to a declared name that does not exist yet is the race GCP answers with 404.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class Project:
    def __init__(self, directory: Path, project: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{project or 'no-project'}.json"
        self._lock = directory / f"{project or 'no-project'}.lock"

    @contextlib.contextmanager
    def state(self) -> Iterator[dict[str, Any]]:
        """The project's state, written back when the block ends without an error."""
        with self._lock.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                state = json.loads(self.path.read_text()) if self.path.exists() else {}
                state.setdefault("declared", [])
                state.setdefault("existing", {})
                yield state
                self.path.write_text(json.dumps(state, indent=1, sort_keys=True))
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def entry(resource_type: str, key: str) -> str:
    """How a resource is filed: its type and short name."""
    return f"{resource_type} {key}"

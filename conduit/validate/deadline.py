"""One global deadline for a whole validation run."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Deadline:
    """Seconds left of a budget that started when the run did."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        return max(self.seconds - (time.monotonic() - self.started), 0.0)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

"""The plan of a stack: its settings and what its program registers under the mock runtime."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from conduit.core.loader import load_stack_file, stack_file
from conduit.core.settings import StackSettings
from conduit.preview.runner import Recording, ResourceRecord, run_program


@dataclass(frozen=True)
class Plan:
    """A stack's validated settings and recorded resources."""

    stack: str
    settings: StackSettings
    recording: Recording

    @property
    def custom_resources(self) -> list[ResourceRecord]:
        return [r for r in self.recording.resources if r.custom]

    def counts_by_type(self) -> list[tuple[str, int]]:
        return sorted(Counter(r.type for r in self.custom_resources).items())


def plan_stack(project_dir: Path, stack: str) -> Plan:
    """Validate the stack file (SettingsError on bad input), then run the program under mocks."""
    path = stack_file(project_dir, stack)
    settings = load_stack_file(path)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))["config"]
    recording = run_program(project_dir, stack, config, settings.project, settings.region)
    return Plan(stack, settings, recording)

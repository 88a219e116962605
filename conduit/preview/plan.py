"""The plan of a stack: its settings and what its program registers under the mock runtime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conduit.core.loader import (
    KeyLines,
    parse_settings,
    read_stack_config,
    secret_value_names,
    stack_file,
)
from conduit.core.settings import StackSettings
from conduit.preview.project import Project, load_project, merge_stack_config
from conduit.preview.runner import Recording, ResourceRecord, engine_config, run_program
from conduit.program import decode_config_value

OFFLINE_PROJECT = "offline-project"
"""The Google project a foreign program sees when its stack sets no `gcp:project`."""
OFFLINE_REGION = "us-central1"
"""The region a foreign program sees when its stack sets no `gcp:region`."""


@dataclass(frozen=True)
class Plan:
    """A stack's validated settings and recorded resources."""

    stack: str
    settings: StackSettings | None
    """None for a program that is not Conduit's (see `Project.is_conduit`)."""
    recording: Recording
    secret_value_names: frozenset[str] = frozenset()
    """The env names the stack file's conduit:secretValues sets (never their values)."""

    @property
    def custom_resources(self) -> list[ResourceRecord]:
        """What a provider creates (components left out): what the pack analyzes."""
        return [r for r in self.recording.resources if r.custom]


def plan_stack(
    project_dir: Path,
    stack: str,
    project: Project | None = None,
    on_record: Callable[[ResourceRecord], None] | None = None,
) -> Plan:
    """Load the project and the stack's config as the CLI does, validate Conduit's settings for a
    Conduit program (SettingsError on bad input), then run the program under mocks; `on_record`
    hears of each resource as it registers. Any other program gets the CLI's rules only."""
    project = project or load_project(project_dir)
    path = stack_file(project_dir, stack)
    conduit = project.is_conduit
    config = merge_stack_config(
        project, stack, read_stack_config(path, require_config=conduit), path.name
    )
    if not conduit:
        gcp_project = str(config.get("gcp:project") or OFFLINE_PROJECT)
        region = str(config.get("gcp:region") or OFFLINE_REGION)
        recording = run_program(
            project_dir,
            project.name,
            stack,
            config,
            gcp_project,
            region,
            on_record,
            secret_unknowns=True,
        )
        return Plan(stack, None, recording)
    # The settings are read from what the engine hands the program (text, structures as JSON), as
    # the program reads them: the CLI accepts `conduit:enableApis: "false"`, and so does this.
    plain, _ = engine_config(config)
    handed = {k: decode_config_value(plain[k]) if k in plain else v for k, v in config.items()}
    valued = secret_value_names(config)
    settings = parse_settings(handed, path.name, lines=KeyLines.of_file(path), secret_names=valued)
    recording = run_program(
        project_dir, project.name, stack, config, settings.project, settings.region, on_record
    )
    return Plan(stack, settings, recording, valued)

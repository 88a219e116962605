"""What one `conduit validate` run is asked to do, typed at the command boundary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from conduit.report.output import FormatSpec

StormRunnerChoice = Literal["auto", "local", "cloudrun", "none"]
STORM_RUNNERS: tuple[StormRunnerChoice, ...] = ("auto", "local", "cloudrun", "none")


@dataclass(frozen=True)
class CheckSelection:
    """`--only` or `--skip` and the check ids it names."""

    flag: Literal["--only", "--skip"]
    ids: tuple[str, ...]


@dataclass(frozen=True)
class ValidateRequest:
    """A validate run: where the targets come from, what to check, how long, where to report."""

    stack: str | None
    outputs: Path | None
    project_dir: Path
    service_urls: tuple[str, ...]
    dsn: str | None
    dsn_ca: Path | None
    """The database server's CA (PEM file) that --dsn's certificate must be signed by."""
    redis_url: str | None
    redis_ca: str | None
    selection: CheckSelection | None
    deadline: float
    health_wait: float
    storm_tasks: int
    storm_runner: StormRunnerChoice
    api_endpoint: str | None
    id_token: str | None
    allow_empty: bool
    formats: tuple[FormatSpec, ...] | None
    output: Path | None

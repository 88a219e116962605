"""Cloud Run's system log lines about instance start-up: the wording the validator parses
(service-startup-rate) and the alerts and log-based metrics match, in one place.

Cloud Run logs each start-up probe's outcome per instance ("STARTUP HTTP probe succeeded after 3
attempts ...", "STARTUP HTTP probe failed 12 times consecutively ... The instance was not
started.") and each container exit ("Container called exit(3).").
"""

from __future__ import annotations

import re

SYSTEM_LOG = "run.googleapis.com%2Fvarlog%2Fsystem"
SUCCEEDED = re.compile(r"STARTUP \w+ probe succeeded")
PROBE_FAILED = re.compile(r"STARTUP \w+ probe failed")
EXITED = re.compile(r"Container called exit\((\d+)\)")

STARTUP_ENTRIES = '(textPayload:"STARTUP" OR textPayload:"Container called exit")'
"""Every entry about a start-up: probe outcomes and container exits."""
PROBE_FAILURES = 'textPayload:"STARTUP" AND textPayload:"probe failed"'
"""The start-up window ran out: infrastructure (the path to the database was too slow)."""
CONTAINER_EXITS = 'textPayload:"Container called exit" AND NOT textPayload:"exit(0)"'
"""The app gave up and exited non-zero: application."""
CAUSE_EXTRACTOR = r'REGEXP_EXTRACT(textPayload, "(probe failed|Container called exit)")'
"""The failure's cause as a log-based metric label."""


def service_filter(project: str, services: list[str] | tuple[str, ...]) -> str:
    """The system log of these Cloud Run services."""
    quoted = [f'"{name}"' for name in services]
    # One value as is; several as the query language's list, ("a" OR "b").
    names = quoted[0] if len(quoted) == 1 else f"({' OR '.join(quoted)})"
    return (
        'resource.type="cloud_run_revision" '
        f"AND resource.labels.service_name={names} "
        f'AND logName="projects/{project}/logs/{SYSTEM_LOG}"'
    )

"""Pick a reporter by format name."""

from __future__ import annotations

from collections.abc import Callable

from conduit.report import json_report, junit, markdown, sarif, text
from conduit.report.model import Report

RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "markdown": markdown.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
}

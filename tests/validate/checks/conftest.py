"""Fixtures every check test shares: none of them may reach Google."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_google_credentials(monkeypatch) -> None:
    """No test here may reach Google: without a key file, an http URL asks no one for a token."""
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)

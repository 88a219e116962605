""" "Did you mean": the closest allowed word to a near miss."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, allowed: Iterable[str]) -> str | None:
    """The allowed word nearest to `word` (case aside), or None when none is near."""
    choices = list(allowed)
    by_folded = {choice.casefold(): choice for choice in choices}
    if word.casefold() in by_folded:
        return by_folded[word.casefold()]
    hits = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=0.6)
    return by_folded[hits[0]] if hits else None


def did_you_mean(word: str, allowed: Iterable[str]) -> str:
    """`; did you mean X?` for a near miss, else ""."""
    hit = closest(word, allowed)
    return f"; did you mean {hit}?" if hit and hit != word else ""

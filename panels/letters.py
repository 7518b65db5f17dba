"""The panel outcome letter to the referrer. PLACEHOLDER, replaced in this session by the letters work."""

from __future__ import annotations


def panel_outcome_letter_queue(*, decision) -> None:
    return None

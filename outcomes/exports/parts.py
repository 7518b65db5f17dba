"""This part's menu items, home panels and case page parts (`cases.extensions.registry`)."""

from __future__ import annotations

from cases.extensions import registry

PARTS: list = []


def register() -> None:
    if PARTS:
        registry.add(*PARTS)

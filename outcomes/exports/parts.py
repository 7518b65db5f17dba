"""This part's menu items, home panels and case page parts (`cases.extensions.registry`)."""

from __future__ import annotations

from cases.extensions import MenuItem, registry
from cases.roles import Role

# The roles that may ask for an export today (the Annex A kind's); everyone finds their own exports
# at /exports/ from the page that made them.
PARTS: list = [
    MenuItem("Exports", "exports:list", roles=frozenset({Role.ANALYST, Role.TEAM_MANAGER}), order=85),
]


def register() -> None:
    if PARTS:
        registry.add(*PARTS)

"""This part's menu items, home panels and case page parts (`cases.extensions.registry`)."""

from __future__ import annotations

from cases.extensions import MenuItem, registry
from cases.roles import Role

PARTS: list = [
    MenuItem("Dashboard", "dashboard:dashboard", roles=frozenset({Role.ANALYST, Role.TEAM_MANAGER}), order=75),
]


def register() -> None:
    if PARTS:
        registry.add(*PARTS)

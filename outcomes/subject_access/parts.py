"""This part's menu item (`cases.extensions.registry`): the administrator's subject access requests."""

from __future__ import annotations

from cases.extensions import MenuItem, registry
from cases.roles import Role

PARTS: list = [
    MenuItem("Subject access requests", "subject_access:list", roles=frozenset({Role.ADMINISTRATOR}), order=92),
]


def register() -> None:
    registry.add(*PARTS)

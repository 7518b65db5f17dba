"""Family group conferences on the case page: the button "Family group conference" for those who
see the family's details (`fgc_permissions.may_see_fgc`: no query)."""

from __future__ import annotations

from django.urls import reverse

from cases.extensions import CaseAction, registry

from .fgc_permissions import may_see_fgc

CASE_ACTIONS = [
    CaseAction(
        key="family-group-conference",
        label="Family group conference",
        url=lambda case: reverse("assessments:fgc-list", args=[case.pk]),
        allowed=lambda user, case: may_see_fgc(case),
        order=80,
    )
]


def register() -> None:
    registry.add(*CASE_ACTIONS)

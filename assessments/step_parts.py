"""The step up's part of the case page: the button "Step up to social care" for those who may step
the case up now (`step_permissions.may_step_up`: no query)."""

from __future__ import annotations

from django.urls import reverse

from cases.extensions import CaseAction, registry

from .step_permissions import may_step_up

CASE_ACTIONS = [
    CaseAction(
        key="step-up",
        label="Step up to social care",
        url=lambda case: reverse("assessments:step-up", args=[case.pk]),
        allowed=lambda user, case: may_step_up(case),
        order=90,
    )
]


def register() -> None:
    registry.add(*CASE_ACTIONS)

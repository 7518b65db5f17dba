"""The assessment on the shared record's pages (cases/extensions.py): a button at the top of the
case page to the assessment, and the team managers' home page panel "Assessments to approve"."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from cases.extensions import CaseAction, HomePanel, registry
from cases.models import Case, CaseStatus, User
from cases.roles import Role

from .assessment_permissions import may_see_assessment
from .assessment_selectors import assessments_to_approve

PANEL_SIZE = 10
SHOWN_WHEN = (CaseStatus.ACTIVE, CaseStatus.CLOSURE_REQUESTED, CaseStatus.CLOSED)


def _assessment_action_allowed(user: User, case: Case) -> bool:
    # No query: the case page has none to spare.
    return case.status in SHOWN_WHEN and may_see_assessment(case)


def _to_approve(request: HttpRequest) -> dict | None:
    """One query: the team's submitted assessments, oldest submission first."""
    rows = assessments_to_approve(user=request.user, limit=PANEL_SIZE + 1)
    return {"assessments": rows[:PANEL_SIZE], "more": len(rows) > PANEL_SIZE, "user_id": request.user.pk}


CASE_ACTIONS = [
    CaseAction(
        key="assessment",
        label="Early help assessment",
        url=lambda case: reverse("assessments:assessment", args=[case.pk]),
        allowed=_assessment_action_allowed,
        order=20,
    )
]
HOME_PANELS = [
    HomePanel(
        key="assessments-to-approve",
        roles=frozenset({Role.TEAM_MANAGER}),
        template="assessments/assessment/panel_to_approve.html",
        context=_to_approve,
        order=42,
    )
]


def register() -> None:
    registry.add(*CASE_ACTIONS, *HOME_PANELS)

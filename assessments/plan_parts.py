"""The family plan's parts of the shared record's pages (cases/extensions.py): the case page's
"Family plan" button, and the home page's "Your actions" for every practitioner (a member of the
team around the family, whatever their role): their open actions across their cases, overdue first,
titles only (what, due date, status, the case's reference), in one query."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cases.extensions import CaseAction, HomePanel, registry
from cases.roles import PRACTITIONER_ROLES

from .plan_permissions import may_see_plan, own_open_actions

HOME_ACTIONS = 5


def your_actions(request: HttpRequest) -> dict | None:
    """The first few of the user's open actions (one query), and whether there are more; left out
    when they have none."""
    rows = list(own_open_actions(request.user)[: HOME_ACTIONS + 1])
    if not rows:
        return None
    today = timezone.localdate()
    return {
        "rows": [{"action": action, "overdue": action.due_on < today} for action in rows[:HOME_ACTIONS]],
        "more": len(rows) > HOME_ACTIONS,
    }


HOME_PANELS = [
    HomePanel(
        key="your-actions",
        roles=PRACTITIONER_ROLES,
        template="assessments/parts/actions_home.html",
        context=your_actions,
        order=15,
    )
]

CASE_ACTIONS = [
    CaseAction(
        key="family-plan",
        label="Family plan",
        url=lambda case: reverse("assessments:plan", args=[case.pk]),
        # No query: the case's perms and consent, read with it.
        allowed=lambda user, case: may_see_plan(case),
        order=60,
    )
]


def register() -> None:
    registry.add(*HOME_PANELS, *CASE_ACTIONS)

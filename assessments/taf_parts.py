"""TAF meetings' and reviews' parts of the shared record's pages (cases/extensions.py): a lead
professional's home page panel "Your families: next TAF and review", and the case page's buttons
"TAF meetings" and "Reviews". No case section: the case page has no query to spare."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from cases.extensions import CaseAction, HomePanel, registry
from cases.roles import Role

from . import review_receivers, taf_permissions, taf_selectors
from .taf_permissions import VIEW_TAF

HOME_ROWS = 10


def next_taf_panel(request: HttpRequest) -> dict:
    """One query: the first rows of the families the user leads, soonest next meeting first."""
    return {"families": taf_selectors.lead_families(user=request.user, limit=HOME_ROWS), "limit": HOME_ROWS}


HOME_PANELS = [
    HomePanel(
        key="next-taf-and-review",
        roles=frozenset({Role.LEAD_PROFESSIONAL}),
        template="assessments/parts/next_taf.html",
        context=next_taf_panel,
        order=15,
    )
]

CASE_ACTIONS = [
    # A member of the team who does not see the family's details still sees when and where the
    # next meeting they are invited to is, on the same page.
    CaseAction(
        key="taf-meetings",
        label="TAF meetings",
        url=lambda case: reverse("assessments:taf-meeting-list", args=[case.pk]),
        allowed=lambda user, case: VIEW_TAF in case.perms and (case.details_visible or case.status == "active"),
        order=60,
    ),
    CaseAction(
        key="reviews",
        label="Reviews",
        url=lambda case: reverse("assessments:review-list", args=[case.pk]),
        allowed=lambda user, case: taf_permissions.may_see_reviews(case),
        order=61,
    ),
]


def register() -> None:
    taf_permissions.register()
    review_receivers.register()
    registry.add(*HOME_PANELS, *CASE_ACTIONS)

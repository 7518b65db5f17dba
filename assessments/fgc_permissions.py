"""Who may see and record a case's family group conferences: the one place that decides, for the
pages and the API.

- Seeing them needs the case (`case_get_for_user`, VIEW_CASE) and its family's details visible to
  the viewer (who attended and the family's plan are the family's business).
- Recording needs MANAGE_CASE (the lead professional, the case's team manager), the family's
  details, and an active case (`fgc` services check again).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from cases.access import register_record_kind
from cases.models import Case, CaseStatus, User
from cases.permissions import MANAGE_CASE, VIEW_CASE, case_get_for_user

from .models import FamilyGroupConference

VIEW_FGC = VIEW_CASE
RECORD_FGC = MANAGE_CASE


def may_see_fgc(case: Case) -> bool:
    """For a case from `case_get_for_user`: whether its viewer may see its conferences. No query."""
    return bool(getattr(case, "details_visible", False))


def may_record_fgc(case: Case) -> bool:
    """For a case from `case_get_for_user`: whether its viewer may record a conference now. No query."""
    return RECORD_FGC in case.perms and may_see_fgc(case) and case.status == CaseStatus.ACTIVE


def fgc_get_for_user(
    *,
    user: User,
    case_id: int,
    fgc_id: int,
    perm: str = VIEW_FGC,
    request: HttpRequest | None = None,
    log: bool = True,
) -> tuple[Case, FamilyGroupConference]:
    """The case and one of its conferences, if `user` holds `perm` on the case and sees the family's
    details; else 404 (the same answer for missing and not yours). The case's view is logged."""
    case = case_get_for_user(user=user, case_id=case_id, perm=perm, request=request, log=log)
    return case, conference_of(case, fgc_id)


def conference_of(case: Case, fgc_id: int) -> FamilyGroupConference:
    """For a case from `case_get_for_user` (the pages' and the API's declared access): its conference
    `fgc_id`, if its viewer sees the family's details; else 404."""
    if not may_see_fgc(case):
        raise Http404("No family group conference found")
    conference = FamilyGroupConference.objects.filter(case_id=case.pk, pk=fgc_id).first()
    if conference is None:
        raise Http404("No family group conference found")
    conference.case = case
    return conference


def case_conferences(case: Case) -> list[FamilyGroupConference]:
    """The case's conferences, the latest offer first, with who recorded each. One query."""
    return list(
        FamilyGroupConference.objects.filter(case_id=case.pk)
        .select_related("recorded_by")
        .order_by("-offered_on", "-id")
    )


# A conference's pages and API declare it as their record: ("fgc", perm), by the case's and its ids.
register_record_kind("fgc", fgc_get_for_user, "case_id", "fgc_id")

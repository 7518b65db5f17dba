"""Who may see and do what with Team Around the Family meetings and reviews: the one place that
decides, for pages and the API.

- Seeing a case's meetings (with their minutes) and its reviews needs the case
  (`case_get_for_user`, VIEW_CASE) and its family's details (`case.details_visible`): minutes and
  reviews are about the family as much as its names are.
- A member of the team around the family (a current `CaseMember`) whose agency the family has not
  agreed to share with still learns when and where the next meeting they are invited to is: the
  date, the time and the place, nothing else (no minutes, no names).
- Planning, moving, cancelling and recording meetings, and recording reviews, need MANAGE_CASE (the
  lead professional and the case's team manager), the family's details, and an active case.

Meetings and reviews are record kinds of `cases.access` ("taf_meeting", "review"), so a page or an
API view declares `object_view("review", VIEW_CASE)` and gets the review (with its case) or 404: the
same answer for missing and not yours, the case's view written to the access log.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils import timezone

from cases.access import register_record_kind
from cases.models import Case, CaseStatus, User
from cases.permissions import MANAGE_CASE, VIEW_CASE, case_get_for_user

from .models import Review, TafMeeting, TafMeetingStatus

VIEW_TAF = VIEW_CASE
MANAGE_TAF = MANAGE_CASE

NOT_ACTIVE = "You can plan and record meetings and reviews only while the case is active"
NOT_ALLOWED = "Only the family's lead professional or their team manager can do that"


def may_see_meetings(case: Case) -> bool:
    """For a case from `case_get_for_user`: whether its viewer sees its meetings and minutes."""
    return VIEW_TAF in case.perms and bool(getattr(case, "details_visible", False))


may_see_reviews = may_see_meetings


def may_manage(case: Case) -> bool:
    """Whether the viewer may plan, move, cancel or record meetings and record reviews now."""
    return MANAGE_TAF in case.perms and may_see_meetings(case) and case.status == CaseStatus.ACTIVE


def invited_meeting(*, user: User, case: Case) -> TafMeeting | None:
    """The next planned meeting of `case` that `user` is invited to (one query): what a member who
    does not see the family's details may know."""
    return (
        TafMeeting.objects.filter(
            case=case, status=TafMeetingStatus.PLANNED, starts_at__gte=timezone.now(), attendees__user=user
        )
        .order_by("starts_at")
        .only("id", "case_id", "starts_at", "place", "status")
        .first()
    )


def taf_meeting_get_for_user(
    *,
    user: User,
    case_id: int,
    taf_meeting_id: int,
    perm: str = VIEW_TAF,
    request: HttpRequest | None = None,
    log: bool = True,
) -> TafMeeting:
    """A meeting of a case `user` holds `perm` on, with `meeting.case` the case as
    `case_get_for_user` gives it. Without the family's details, only the next meeting they are
    invited to (its page shows its date, time and place alone); else 404."""
    case = case_get_for_user(user=user, case_id=case_id, perm=perm, request=request, log=log)
    if case.details_visible:
        meeting = TafMeeting.objects.filter(case=case, pk=taf_meeting_id).select_related("planned_by").first()
    elif perm == VIEW_TAF:
        meeting = invited_meeting(user=user, case=case)
        meeting = meeting if meeting is not None and meeting.pk == int(taf_meeting_id) else None
    else:
        meeting = None
    if meeting is None:
        raise Http404("No meeting found")
    meeting.case = case
    return meeting


def review_get_for_user(
    *,
    user: User,
    case_id: int,
    review_id: int,
    perm: str = VIEW_TAF,
    request: HttpRequest | None = None,
    log: bool = True,
) -> Review:
    """A review of a case whose family's details `user` sees, with `review.case` the case as
    `case_get_for_user` gives it; else 404."""
    case = case_get_for_user(user=user, case_id=case_id, perm=perm, request=request, log=log)
    review = None
    if may_see_reviews(case):
        review = (
            Review.objects.filter(case=case, pk=review_id)
            .select_related("recorded_by", "reading__tool", "plan_version", "taf_meeting")
            .first()
        )
    if review is None:
        raise Http404("No review found")
    review.case = case
    return review


def register() -> None:
    register_record_kind("taf_meeting", taf_meeting_get_for_user, "case_id", "taf_meeting_id")
    register_record_kind("review", review_get_for_user, "case_id", "review_id")


register()

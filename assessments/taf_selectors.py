"""Reads of TAF meetings and reviews, each a fixed number of queries however many there are."""

from __future__ import annotations

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cases.models import Case, CaseMember, CaseStatus, Deadline, FamilyMembership, Person, User

from .models import Review, ReviewProgress, TafAttendee, TafMeeting, TafMeetingStatus
from .reviews import REVIEW_TIMESCALES


def case_meetings(*, case: Case) -> QuerySet[TafMeeting]:
    """The case's meetings, the latest first, with how many were invited and came."""
    return (
        TafMeeting.objects.filter(case=case)
        .annotate(
            invited=Count("attendees"),
            came=Count("attendees", filter=Q(attendees__attendance="attended")),
        )
        .order_by("-starts_at", "-id")
    )


def planned_meeting(*, case: Case) -> TafMeeting | None:
    return TafMeeting.objects.filter(case=case, status=TafMeetingStatus.PLANNED).order_by("starts_at").first()


def meeting_attendees(*, meeting: TafMeeting) -> list[TafAttendee]:
    return list(meeting.attendees.select_related("user__agency", "person"))


def current_members(*, case: Case) -> list[CaseMember]:
    return list(
        CaseMember.objects.filter(case=case, ended_at__isnull=True)
        .select_related("user")
        .order_by("-is_lead", "added_at")
    )


def family_people(*, case: Case) -> list[Person]:
    return [
        membership.person
        for membership in FamilyMembership.objects.filter(family_id=case.family_id)
        .select_related("person")
        .order_by("person__date_of_birth", "person_id")
    ]


def case_reviews(*, case: Case) -> QuerySet[Review]:
    return Review.objects.filter(case=case).select_related("recorded_by", "reading__tool").order_by("-number")


def review_progress(*, review: Review) -> list[ReviewProgress]:
    return list(
        review.progress.select_related("action__owner_user", "action__owner_person").order_by("action__due_on", "id")
    )


def running_review_clocks(*, case: Case) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            subject_type="case",
            subject_id=case.pk,
            timescale__code__in=REVIEW_TIMESCALES,
            met_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .select_related("timescale")
        .order_by("due_at")
    )


def lead_families(*, user: User, limit: int) -> list[dict]:
    """The active cases `user` leads, the soonest next meeting first (none planned first of all),
    each with its next meeting and its next review due: one query."""
    next_meeting = TafMeeting.objects.filter(case=OuterRef("pk"), status=TafMeetingStatus.PLANNED).order_by("starts_at")
    next_review = Deadline.objects.filter(
        subject_type="case",
        subject_id=OuterRef("pk"),
        timescale__code__in=REVIEW_TIMESCALES,
        met_at__isnull=True,
        cancelled_at__isnull=True,
    ).order_by("due_at")
    rows = (
        Case.objects.filter(lead_professional=user, status=CaseStatus.ACTIVE)
        .annotate(
            next_taf_id=Subquery(next_meeting.values("pk")[:1]),
            next_taf_at=Subquery(next_meeting.values("starts_at")[:1]),
            next_review_due=Subquery(next_review.values("due_at")[:1]),
        )
        # No meeting planned comes first, then the soonest.
        .order_by(F("next_taf_at").asc(nulls_first=True), "pk")
        .values("pk", "reference", "family__name", "next_taf_id", "next_taf_at", "next_review_due")
    )
    now = timezone.now()
    result = []
    for row in rows[:limit]:
        result.append(
            {
                **row,
                "taf_overdue": row["next_taf_at"] is not None and row["next_taf_at"] < now,
                "review_overdue": row["next_review_due"] is not None and row["next_review_due"] < now,
            }
        )
    return result


def prefetch_progress() -> Prefetch:
    return Prefetch("progress", queryset=ReviewProgress.objects.select_related("action"))

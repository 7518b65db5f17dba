"""The case page's "Assessment, plan and reviews" section: where the lead professional's work with
the family stands, and its handovers with children's social care, in one query (every figure a
subquery column of the case's row), with links to the pages of each part. Shown only to viewers
who see the family's details; a partner the family has not agreed to share with sees none of it
(their own actions are on their home page)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateField, DateTimeField, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import Case, CaseStatus, Deadline
from front_door.models import Handover, HandoverDirection, ReferralStatus

from .models import (
    OPEN_ACTION_STATUSES,
    Assessment,
    AssessmentStatus,
    Plan,
    PlanAction,
    Review,
    TafMeeting,
    TafMeetingStatus,
)

REVIEW_CLOCKS = ("review-1", "review-2", "review-3", "review-next")


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().values("case_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _running(codes: tuple[str, ...]):
    return Deadline.objects.filter(
        case_id=OuterRef("pk"), timescale__code__in=codes, met_at__isnull=True, cancelled_at__isnull=True
    ).order_by("due_at")


@dataclass(frozen=True)
class WorkSummary:
    assessment_version: int | None
    assessment_status: str | None
    assessment_due: datetime.datetime | None
    plan_agreed_on: datetime.date | None
    has_plan: bool
    open_actions: int
    overdue_actions: int
    next_taf: datetime.datetime | None
    next_review_due: datetime.datetime | None
    reviews_done: int
    stepped_up_at: datetime.datetime | None
    step_up_status: str | None
    stepped_down_at: datetime.datetime | None

    @property
    def step_up_waits(self) -> bool:
        return self.step_up_status == ReferralStatus.AWAITING_DECISION

    @property
    def assessment_words(self) -> str:
        if self.assessment_status is None:
            return "Not started"
        return f"Version {self.assessment_version}: {AssessmentStatus(self.assessment_status).label.lower()}"


def case_work_summary(*, case: Case) -> WorkSummary:
    """One query, however much work there is."""
    today = timezone.localdate()
    latest = Assessment.objects.filter(case_id=OuterRef("pk")).order_by("-version")
    step_ups = Handover.objects.filter(case_id=OuterRef("pk"), direction=HandoverDirection.STEP_UP).order_by(
        "-made_at", "-id"
    )
    actions = PlanAction.objects.filter(case_id=OuterRef("pk"), ended_at__isnull=True, status__in=OPEN_ACTION_STATUSES)
    row = (
        Case.objects.filter(pk=case.pk)
        .annotate(
            assessment_version=Subquery(latest.values("version")[:1]),
            assessment_status=Subquery(latest.values("status")[:1]),
            assessment_due=Subquery(_running(("assessment",)).values("due_at")[:1], output_field=DateTimeField()),
            plan_id_=Subquery(Plan.objects.filter(case_id=OuterRef("pk")).values("pk")[:1]),
            plan_agreed_on=Subquery(
                Plan.objects.filter(case_id=OuterRef("pk")).values("agreed_on")[:1],
                output_field=DateField(),
            ),
            open_actions=_count(actions),
            overdue_actions=_count(actions.filter(due_on__lt=today)),
            next_taf=Subquery(
                TafMeeting.objects.filter(case_id=OuterRef("pk"), status=TafMeetingStatus.PLANNED)
                .order_by("starts_at")
                .values("starts_at")[:1]
            ),
            next_review_due=Subquery(_running(REVIEW_CLOCKS).values("due_at")[:1], output_field=DateTimeField()),
            reviews_done=_count(Review.objects.filter(case_id=OuterRef("pk"))),
            stepped_up_at=Subquery(step_ups.values("made_at")[:1]),
            step_up_status=Subquery(step_ups.values("referral__status")[:1]),
            stepped_down_at=Subquery(
                Handover.objects.filter(case_id=OuterRef("pk"), direction=HandoverDirection.STEP_DOWN)
                .order_by("-made_at")
                .values("made_at")[:1]
            ),
        )
        .values(
            "assessment_version",
            "assessment_status",
            "assessment_due",
            "plan_id_",
            "plan_agreed_on",
            "open_actions",
            "overdue_actions",
            "next_taf",
            "next_review_due",
            "reviews_done",
            "stepped_up_at",
            "step_up_status",
            "stepped_down_at",
        )
        .get()
    )
    has_plan = row.pop("plan_id_") is not None
    return WorkSummary(has_plan=has_plan, **row)


def summary_section(request, case: Case) -> dict | None:
    """The section's context: None (left out) for a viewer who does not see the family's details,
    and for a case not yet led (nothing of this work can have started)."""
    if not getattr(case, "details_visible", False) or case.status in (
        CaseStatus.AWAITING_ALLOCATION,
        CaseStatus.AWAITING_LEAD_PROFESSIONAL,
    ):
        return None
    summary = case_work_summary(case=case)
    now = timezone.now()
    return {
        "summary": summary,
        "active": case.status == CaseStatus.ACTIVE,
        "assessment_overdue": summary.assessment_due is not None and summary.assessment_due < now,
        "review_overdue": summary.next_review_due is not None and summary.next_review_due < now,
        "taf_missing": case.status == CaseStatus.ACTIVE and summary.next_taf is None,
        "taf_overdue": summary.next_taf is not None and summary.next_taf < now,
    }

"""Writes of the plan's reviews: the review clocks, and recording a review.

The clocks: when the family first agrees their plan (`signals.plan_agreed`, received in
`review_receivers`), `review-1`, `review-2` and `review-3` start together from the day of the
agreement (1, 3 and 6 months by the seeded timescales, which a council may change). After the third
review, each review starts `review-next` (3 months from the day it was held). Each clock reminds the
lead professional and escalates to the lead agency's team managers. Every clock is about the case
(subject "case"), so closing the case cancels them (`cases.services.case_clocks_cancel`).

A review (`review_record`) records progress on every open action of the plan, a new outcome tool
reading (one of the case's readings taken within 14 days of the review), the family's view, a
summary and the decision; it meets its clock. The decision's own step:
- continue: the plan is amended; the version the review makes is kept (`plans.plan_version_make`);
- back to the panel: `cases.services.case_return_to_panel` (stuck, refused, disengaged), in the
  same transaction;
- step up and request closure: recorded here; the pages then take the lead professional to the step
  up page and to the case's closure request, which are those services' own.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cases.deadlines import deadline_meet, deadline_start
from cases.models import PANEL_RETURN_ROUTES, Case, CaseStatus, Deadline, PanelRoute, User
from cases.permissions import user_has_case_perm
from cases.roles import Role
from cases.services import case_return_to_panel, chronology_record

from . import plans
from .models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Plan,
    PlanAction,
    Reading,
    Review,
    ReviewDecision,
    ReviewProgress,
)
from .taf_permissions import MANAGE_TAF, NOT_ACTIVE, NOT_ALLOWED

FIRST_REVIEWS = ("review-1", "review-2", "review-3")
NEXT_REVIEW = "review-next"
REVIEW_TIMESCALES = (*FIRST_REVIEWS, NEXT_REVIEW)
READING_WITHIN = datetime.timedelta(days=14)
NO_PLAN = "The family has not agreed a plan yet: there is nothing to review"


def progress_field(action_id: int) -> str:
    return f"action_{action_id}"


def progress_note_field(action_id: int) -> str:
    return f"action_{action_id}_note"


def review_timescale(number: int) -> str:
    """The clock a review of this number meets."""
    return FIRST_REVIEWS[number - 1] if number <= len(FIRST_REVIEWS) else NEXT_REVIEW


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


def _clock_start(*, case: Case, code: str, started_at: datetime.datetime) -> Deadline:
    return deadline_start(
        timescale_code=code,
        subject_type="case",
        subject_id=case.pk,
        case=case,
        reference=case.reference,
        started_at=started_at,
        remind_user=case.lead_professional,
        escalate_role=Role.TEAM_MANAGER,
        escalate_agency=case.lead_agency,
    )


def review_clocks_start(*, plan: Plan) -> list[Deadline]:
    """Start the first three review clocks from the day the family agreed `plan` (the day itself when
    not given). Safe to call again: a running clock is kept. Only for an active case."""
    case = Case.objects.select_related("lead_professional", "lead_agency").get(pk=plan.case_id)
    if case.status != CaseStatus.ACTIVE:
        return []
    started_at = _start_of(plan.agreed_on) if plan.agreed_on else timezone.now()
    return [_clock_start(case=case, code=code, started_at=started_at) for code in FIRST_REVIEWS]


def review_due(*, case: Case) -> Deadline | None:
    """The soonest running review clock of the case."""
    return (
        Deadline.objects.filter(
            subject_type="case",
            subject_id=case.pk,
            timescale__code__in=REVIEW_TIMESCALES,
            met_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .order_by("due_at")
        .first()
    )


def open_actions(*, plan: Plan):
    """The actions a review reports on: in the plan and not done or stopped."""
    return PlanAction.objects.filter(plan=plan, ended_at__isnull=True, status__in=OPEN_ACTION_STATUSES).order_by(
        "due_on", "id"
    )


def usable_readings(*, case: Case, on: datetime.date | None = None):
    """The case's readings a review held `on` (today by default) may use: taken within 14 days of it."""
    on = on or timezone.localdate()
    return (
        Reading.objects.filter(case=case, taken_on__gte=on - READING_WITHIN, taken_on__lte=on + READING_WITHIN)
        .select_related("tool", "person")
        .order_by("-taken_on", "-id")
    )


@transaction.atomic
def review_record(
    *,
    actor: User,
    case: Case,
    held_on: datetime.date | None,
    progress: dict[int, tuple[str, str]],
    reading: Reading | None,
    family_view: str,
    summary: str,
    decision: str,
    decision_note: str = "",
    panel_route: str = "",
) -> Review:
    """Record the case's next review (numbered after the last).

    Before: `actor` holds MANAGE_CASE (PermissionDenied otherwise); the case is active and its plan
    agreed; `held_on` is not in the future nor before the plan was agreed; `progress` gives every
    open action of the plan (by id) a status and a note (errors `action_<id>`, `action_<id>_note`);
    `reading` is one of the case's readings taken within 14 days of the review; the family's view,
    the summary and the decision are given; going back to the panel needs `panel_route` (stuck,
    refused, disengaged) and a note, stepping up a note (the reason).

    Besides: one `ReviewProgress` per action, and each action's status updated (through the plan's
    own `plans.action_progress_record`, which writes an update and the chronology); meets the
    review's clock (`review-<n>`, then `review-next`) and, from the third review on, starts
    `review-next` 3 months from it; for "continue" keeps the plan's version (`plan_version_make`);
    for "back to the panel" returns the case to the panel; writes the chronology."""
    if not user_has_case_perm(actor, case, MANAGE_TAF):
        raise PermissionDenied(NOT_ALLOWED)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("family", "lead_professional", "lead_agency")
        .get(pk=case.pk)
    )
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError(NOT_ACTIVE)
    plan = Plan.objects.filter(case=case).first()
    if plan is None or plan.agreed_on is None:
        raise ValidationError(NO_PLAN)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if held_on is None:
        errors["held_on"] = "Enter the date the review was held"
    elif held_on > today:
        errors["held_on"] = "The date the review was held must be today or in the past"
    elif held_on < plan.agreed_on:
        errors["held_on"] = (
            f"The date the review was held must be on or after {plan.agreed_on:%-d %B %Y}, when the plan was agreed"
        )
    actions = list(open_actions(plan=plan))
    for action in actions:
        status, note = progress.get(action.pk, ("", ""))
        if status not in ActionStatus.values:
            errors[progress_field(action.pk)] = f"Select the progress on “{action.what[:60]}”"
        if not (note or "").strip():
            errors[progress_note_field(action.pk)] = f"Enter what was done on “{action.what[:60]}”"
    if set(progress) - {action.pk for action in actions}:
        errors["progress"] = "Report only on the plan's open actions"
    if reading is None:
        errors["reading"] = "Choose the outcome tool reading taken for this review, or record one first"
    elif reading.case_id != case.pk:
        errors["reading"] = "Choose a reading of this family"
    elif held_on and abs(reading.taken_on - held_on) > READING_WITHIN:
        errors["reading"] = "Choose a reading taken within 14 days of the review"
    family_view, summary = (family_view or "").strip(), (summary or "").strip()
    decision_note = (decision_note or "").strip()
    if not family_view:
        errors["family_view"] = "Enter the family's view"
    if not summary:
        errors["summary"] = "Enter a summary of progress"
    if decision not in ReviewDecision.values:
        errors["decision"] = "Select the decision of the review"
    elif decision == ReviewDecision.BACK_TO_PANEL:
        if panel_route not in PANEL_RETURN_ROUTES:
            errors["panel_route"] = "Select why the case is going back to the panel"
        if not decision_note:
            errors["decision_note"] = "Enter why the case is going back to the panel"
    elif decision == ReviewDecision.STEP_UP and not decision_note:
        errors["decision_note"] = "Enter why the family needs a step up to children's social care"
    if errors:
        raise ValidationError(errors)

    number = (Review.objects.filter(case=case).aggregate(last=Max("number"))["last"] or 0) + 1
    code = review_timescale(number)
    running = (
        Deadline.objects.filter(
            subject_type="case",
            subject_id=case.pk,
            timescale__code=code,
            met_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .only("due_at")
        .first()
    )
    review = Review.objects.create(
        case=case,
        number=number,
        due_on=timezone.localdate(running.due_at) if running else None,
        held_on=held_on,
        summary=summary,
        family_view=family_view,
        decision=decision,
        decision_note=decision_note,
        reading=reading,
        recorded_by=actor,
    )
    ReviewProgress.objects.bulk_create(
        ReviewProgress(review=review, action=action, status=progress[action.pk][0], note=progress[action.pk][1].strip())
        for action in actions
    )
    for action in actions:
        status, note = progress[action.pk]
        plans.action_progress_record(actor=actor, action=action, status=status, note=f"Review {number}: {note.strip()}")
    deadline_meet(timescale_code=code, subject_type="case", subject_id=case.pk, met_at=_start_of(held_on))
    if number >= len(FIRST_REVIEWS):
        _clock_start(case=case, code=NEXT_REVIEW, started_at=_start_of(held_on))
    if decision == ReviewDecision.CONTINUE:
        review.plan_version = plans.plan_version_make(plan=plan, actor=actor, reason=f"Review {number}")
        review.save(update_fields=["plan_version"])
    chronology_record(
        family=case.family,
        case=case,
        event="review-recorded",
        summary=f"Review {number} of the plan: {ReviewDecision(decision).label.lower()}",
        body=f"{summary}\n\nThe family's view: {family_view}" + (f"\n\n{decision_note}" if decision_note else ""),
        actor=actor,
        occurred_at=_start_of(held_on),
    )
    if decision == ReviewDecision.BACK_TO_PANEL:
        case_return_to_panel(actor=actor, case=case, route=panel_route, note=decision_note)
    return review


def panel_route_choices() -> list[tuple[str, str]]:
    return [(route.value, PanelRoute(route).label) for route in PANEL_RETURN_ROUTES]


def next_number(*, case: Case) -> int:
    return (Review.objects.filter(case=case).aggregate(last=Max("number"))["last"] or 0) + 1

"""Demo data: Team Around the Family meetings and reviews (a step of `cases.demo`, after the family
plans' step, `demo_plan`, whose agreements start the review clocks), made through the services only.

The lead professionals' active families each get their next meeting planned (inviting the team and
the parents). On the first, a meeting is held and recorded, with minutes, decisions and the next
one planned. Where a family agreed their plan, the first such family has its first review recorded
(progress on every action, its latest outcome tool reading, "continue"); the others' review clocks
run from the agreement, so a family whose plan was agreed more than a month ago shows its first
review overdue on the lead professional's home page."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases.demo import DemoContext, demo_step
from cases.models import Case, CaseMember, CaseStatus, Person

from . import reviews, taf
from .models import ActionStatus, Attendance, Plan, Reading, ReviewDecision, TafMeeting, TafMeetingStatus

# After the plan's demo step (the plan agreed, the review clocks running) and the readings (450).
TAF_AND_REVIEWS = 490
PLACES = ["Hill School meeting room", "Northgate family hub", "The family's home", "Riverside children's centre"]


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _invitees(case: Case) -> dict:
    members = [m.user for m in CaseMember.objects.filter(case=case, ended_at__isnull=True).select_related("user")]
    parents = list(Person.objects.filter(memberships__family=case.family, kind=Person.Kind.ADULT))
    return {"members": members, "people": parents, "others": []}


def _hold_first_meeting(context: DemoContext, case: Case) -> None:
    """A meeting planned through the service (which takes no meeting in the past), placed earlier today,
    then recorded as held, with the next one planned in six weeks."""
    meeting = taf.taf_meeting_plan(
        actor=case.lead_professional,
        case=case,
        starts_at=timezone.now() + datetime.timedelta(seconds=1),
        place=PLACES[0],
        **_invitees(case),
    )
    # It started a moment ago, as a meeting held this morning would have (the demo places its rows in
    # time the way the front door's does: after the service, never instead of it).
    TafMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=90))
    meeting.refresh_from_db()
    attendees = list(meeting.attendees.all())
    attendance = {a.pk: Attendance.ATTENDED for a in attendees}
    if len(attendees) > 2:
        attendance[attendees[-1].pk] = Attendance.APOLOGIES
    taf.taf_meeting_record(
        actor=case.lead_professional,
        meeting=meeting,
        attendance=attendance,
        minutes=(
            "Mum said mornings are easier since the breakfast club place started. School reported attendance "
            "up from 82% to 91% this half term. The health visitor will follow up the sleep routine."
        ),
        decisions="Keep the breakfast club place. Health visitor to visit in two weeks.",
        plan_changes="The sleep routine action moves to the health visitor.",
        next_starts_at=_at(42, 10),
        next_place=PLACES[1],
    )


def _review(case: Case, plan: Plan) -> None:
    reading = Reading.objects.filter(case=case).order_by("-taken_on", "-id").first()
    if reading is None or abs(reading.taken_on - timezone.localdate()) > reviews.READING_WITHIN:
        return
    progress = {
        action.pk: (
            ActionStatus.ON_TRACK if index % 2 == 0 else ActionStatus.BEHIND,
            "Going well: the family are keen." if index % 2 == 0 else "Started late: the waiting list was long.",
        )
        for index, action in enumerate(reviews.open_actions(plan=plan))
    }
    reviews.review_record(
        actor=case.lead_professional,
        case=case,
        held_on=timezone.localdate(),
        progress=progress,
        reading=reading,
        family_view="We feel listened to. Mornings are calmer; evenings are still hard.",
        summary="Good progress on school attendance; sleep routines need more support.",
        decision=ReviewDecision.CONTINUE,
    )


@demo_step(TAF_AND_REVIEWS)
def demo_taf_meetings_and_reviews(context: DemoContext) -> None:
    leads = [context.users[name] for name in ("lead.professional", "second.lead") if name in context.users]
    cases = list(
        Case.objects.filter(status=CaseStatus.ACTIVE, lead_professional__in=leads)
        .select_related("family", "lead_professional", "lead_agency")
        .order_by("opened_at", "id")[:8]
    )
    reviewed = False
    for number, case in enumerate(cases):
        if case.taf_meetings.filter(status=TafMeetingStatus.PLANNED).exists():
            continue
        if number == 0:
            _hold_first_meeting(context, case)
        else:
            taf.taf_meeting_plan(
                actor=case.lead_professional,
                case=case,
                starts_at=_at(7 + 3 * number, 10 + number % 5),
                place=PLACES[number % len(PLACES)],
                **_invitees(case),
            )
        plan = Plan.objects.filter(case=case, agreed_on__isnull=False).first()
        if plan is not None and not reviewed and not case.reviews.exists():
            _review(case, plan)
            reviewed = True

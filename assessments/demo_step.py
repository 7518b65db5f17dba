"""Demo data: handovers with children's social care and family group conferences (a step of
`cases.demo`, after the panels' and the other assessment steps), made only through the services.

- Two active cases stepped up to the front door by their lead professionals: one waiting at the top
  of the duty managers' queue, one the duty manager has decided (threshold met).
- One family stepped down from children's social care by the contact officer, waiting on the Early
  Help Panel's waiting list with its handover summary.
- A family group conference offered on one active case, and one held (with the family's plan) on
  another."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases.demo import DemoContext, demo_step
from cases.models import Case, CaseStatus, Destination, LevelOfNeed
from front_door.letters import letter_create_and_send
from front_door.models import DecisionOutcome
from front_door.services import PersonData, referral_decide
from front_door.step_down import StepDownData, referral_from_step_down
from front_door.step_up import referral_from_step_up

from . import fgc

# After the case lifecycle (400), the panels (300), and the assessment, plan, TAF and review steps (450-490).
STEP = 495


def _active_cases() -> list[Case]:
    return list(
        Case.objects.filter(status=CaseStatus.ACTIVE, lead_professional__isnull=False)
        .select_related("family", "lead_professional")
        .order_by("-pk")[:6]
    )


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@demo_step(STEP)
def demo_step_up_step_down_and_conferences(context: DemoContext) -> None:
    cases = _active_cases()
    if len(cases) < 4:
        return
    duty = context.users.get("duty.manager")
    officer = context.users.get("contact.officer") or duty

    waiting, decided, offered, held = cases[:4]
    referral_from_step_up(
        actor=waiting.lead_professional,
        case=waiting,
        reason=(
            "The youngest child told the school nurse she is scared to go home. Mum's new partner has moved in "
            "and the house is chaotic; the children arrive hungry. Harm suspected: consulting children's social "
            "care now."
        ),
    )
    if duty is not None:
        stepped = referral_from_step_up(
            actor=decided.lead_professional,
            case=decided,
            reason="Bruising on the older child's arm, with explanations that changed twice in one day.",
        )
        level_4 = LevelOfNeed.objects.filter(code="level-4").first() or decided.level_of_need
        destination = Destination.objects.active().filter(outcomes__contains=[DecisionOutcome.STEP_UP]).first()
        decision = referral_decide(
            actor=duty,
            referral=stepped,
            outcome=DecisionOutcome.STEP_UP,
            level_of_need=level_4,
            reason="Threshold for a child and family assessment met; passed to the Referral and Assessment Team.",
            destination=destination,
            confirm_new_people=True,
        )
        # The lead professional's outcome letter, as the front door's demo makes its own.
        letter_create_and_send(decision_id=decision.pk)

    if officer is not None:
        referral_from_step_down(
            actor=officer,
            data=StepDownData(
                summary=(
                    "Child in need plan closed after nine months. School attendance is up from 71% to 93%. Mum "
                    "engages well with a worker she trusts; routines at bedtime and money are still hard. No "
                    "safeguarding concerns at closure. The children's father has supervised contact on Saturdays."
                ),
                reason="Needs now met at level 3: a lead professional and a team around the family will keep it going.",
                social_worker="Priya Sandhu",
                social_care_team="Referral and Assessment Team",
                social_worker_email="priya.sandhu@example.org",
                address_line_1="7 Orchard Row",
                town="Exton",
                postcode="EX2 4AB",
                level_of_need=LevelOfNeed.objects.filter(code="level-3").first(),
                family_agreed=True,
                people=[
                    PersonData(
                        kind="child", first_name="Tobias", last_name="Fenwick", date_of_birth=_days_ago(9 * 365)
                    ),
                    PersonData(kind="child", first_name="Mabel", last_name="Fenwick", date_of_birth=_days_ago(5 * 365)),
                    PersonData(
                        kind="adult",
                        first_name="Harriet",
                        last_name="Fenwick",
                        relationship="Mother",
                        parental_responsibility=True,
                    ),
                ],
            ),
        )

    fgc.fgc_offer(actor=offered.lead_professional, case=offered, offered_on=_days_ago(3))
    conference = fgc.fgc_offer(actor=held.lead_professional, case=held, offered_on=_days_ago(40))
    fgc.fgc_respond(
        actor=held.lead_professional, conference=conference, response="accepted", responded_on=_days_ago(35)
    )
    fgc.fgc_record_held(
        actor=held.lead_professional,
        conference=conference,
        held_on=_days_ago(14),
        attended="Mum, Nan, Uncle Dev, the children's aunt (by video), the coordinator",
        family_plan=(
            "Nan collects the children from school on Tuesdays and Thursdays. Uncle Dev helps with homework on "
            "Wednesdays. Mum calls Nan when she feels low, and the family meets again in six weeks."
        ),
    )

"""What reviews and meetings do when the family first agrees their plan (`signals.plan_agreed`,
sent by `plans.plan_agree` inside the agreement's transaction): the first three review clocks start
from the day of the agreement, and, when no meeting is planned yet, the `next-taf` clock starts on
its own timescale (6 weeks by the seeded one), so the lead professional is reminded to set one."""

from __future__ import annotations

from cases.deadlines import deadline_start
from cases.models import Case
from cases.roles import Role

from .models import Plan, TafMeeting, TafMeetingStatus
from .reviews import review_clocks_start
from .signals import plan_agreed
from .taf import NEXT_TAF


def on_plan_agreed(sender, *, plan: Plan, actor=None, **kwargs) -> None:
    clocks = review_clocks_start(plan=plan)
    if not clocks or TafMeeting.objects.filter(case_id=plan.case_id, status=TafMeetingStatus.PLANNED).exists():
        return
    case = Case.objects.select_related("lead_professional", "lead_agency").get(pk=plan.case_id)
    deadline_start(
        timescale_code=NEXT_TAF,
        subject_type="case",
        subject_id=case.pk,
        case=case,
        reference=case.reference,
        remind_user=case.lead_professional,
        escalate_role=Role.TEAM_MANAGER,
        escalate_agency=case.lead_agency,
    )


def register() -> None:
    plan_agreed.connect(on_plan_agreed, dispatch_uid="assessments.review_receivers.on_plan_agreed")

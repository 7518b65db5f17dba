"""The assessment's part in the case's lifecycle: once a lead professional is assigned (the case
moves to active), the `assessment` clock starts; submitting the assessment meets it
(`assessment_services.assessment_submit`); closing the case cancels it (`cases.services.case_clocks_cancel`)."""

from __future__ import annotations

from cases.deadlines import deadline_start
from cases.models import Case
from cases.roles import Role
from cases.signals import case_moved

from .assessment_services import ASSESSMENT_TIMESCALE
from .models import Assessment


def assessment_clock_start(sender, *, case: Case, action: str, **kwargs) -> None:
    """Due within the `assessment` timescale of the lead professional's assignment; reminds the lead
    professional, escalates to the lead agency's team managers. Not started again for a case whose
    assessment has already been submitted (a case sent back to the panel and allocated again)."""
    if action != "assign_lead_professional":
        return
    if Assessment.objects.filter(case_id=case.pk, submitted_at__isnull=False).exists():
        return
    deadline_start(
        timescale_code=ASSESSMENT_TIMESCALE,
        subject_type="case",
        subject_id=case.pk,
        case=case,
        reference=case.reference,
        remind_user=case.lead_professional,
        escalate_role=Role.TEAM_MANAGER,
        escalate_agency=case.lead_agency,
    )


def register() -> None:
    case_moved.connect(assessment_clock_start, sender=Case, dispatch_uid="assessments.assessment_clock_start")

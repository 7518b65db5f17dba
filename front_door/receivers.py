"""What the front door does when the shared record moves a case (`cases.signals.case_moved`)."""

from __future__ import annotations

from cases.deadlines import deadline_cancel
from cases.models import CaseStatus

from .models import InformationRequest
from .services import PARTNER_CLOCK


def case_closed_stop_chasing_partners(sender, *, case, to_status: str, **kwargs) -> None:
    """A closed case needs no more answers before the panel: the clocks of the partner requests still
    open about it stop (cancelled, in the closing transaction), so their agencies are not reminded nor
    their askers told of answers that are late. The requests stay open: an agency may still answer,
    and the answer is written in the case's chronology."""
    if to_status != CaseStatus.CLOSED:
        return
    waiting = InformationRequest.objects.filter(case_id=case.pk, answered_at__isnull=True).values_list("pk", flat=True)
    for request_id in waiting:
        deadline_cancel(subject_type="information_request", subject_id=request_id, timescale_code=PARTNER_CLOCK)

"""Reads of a case's handovers with children's social care, for the case's pages (and the case
page's summary of the lead professional's work): its step ups, each with the front door's latest
decision, and the step down that brought it to early help with its handover summary. One query each."""

from __future__ import annotations

from cases.models import Case
from front_door.models import HandoverDirection
from front_door.step_selectors import HandoverRow, case_handovers


def case_step_ups(case: Case) -> list[HandoverRow]:
    """The case's step ups to the front door, newest first: the reason, who made it and when, whether
    it still waits, and the front door's latest decision (`decision_outcome_label`, `decision_reason`,
    `decided_at`, `decided_by`; blank while it waits)."""
    return case_handovers(case=case, direction=HandoverDirection.STEP_UP)


def case_step_downs(case: Case) -> list[HandoverRow]:
    """The step downs from children's social care that brought the family to this case, newest first,
    with the handover summary, the reason, the social care worker and team."""
    return case_handovers(case=case, direction=HandoverDirection.STEP_DOWN)


def case_handover_rows(case: Case) -> list[HandoverRow]:
    """Both, newest first, in one query."""
    return case_handovers(case=case)

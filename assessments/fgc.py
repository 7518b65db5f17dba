"""Family group conferences: offered to the family (the date), the family's answer (accepted or
declined, and when), and, once held, the date, who attended and the family's own plan from it.

Rules (the pages and the API alike):
- Recording needs MANAGE_CASE (the lead professional, the case's team manager) on an active case
  whose family's details the recorder sees (`fgc_permissions.may_record_fgc`).
- One conference at a time: a new offer waits until the last one was declined or held.
- Dates are today or in the past, and in order: offered, then answered (not before the offer),
  then held (not before the answer).
- Only an accepted conference is held (also the model's check constraint); a held one is the
  record and changes no more. An answer may be corrected until the conference is held.
Each step is recorded in the case's chronology (the family's plan in the body)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseStatus, User
from cases.permissions import MANAGE_CASE, user_has_case_perm

from .models import ConferenceResponse, FamilyGroupConference

NOT_ALLOWED = "Only the case's lead professional or team manager can record a family group conference"
NOT_ACTIVE = "Family group conferences are recorded on active cases only"
ALREADY_OFFERED = "A family group conference is already offered: record the family's answer or the conference first"
HELD_ALREADY = "This family group conference has been held: it can no longer change"
NOT_ACCEPTED = "Only a family group conference the family accepted can be held"


def _check_actor(actor: User, case: Case) -> Case:
    if not user_has_case_perm(actor, case, MANAGE_CASE):
        raise PermissionDenied(NOT_ALLOWED)
    case = Case.objects.select_for_update().select_related("family").get(pk=case.pk)
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError(NOT_ACTIVE, code="not_active")
    return case


def _past(value: datetime.date | None, field: str, noun: str, errors: dict, *, required: str) -> None:
    if value is None:
        errors[field] = required
    elif value > timezone.localdate():
        errors[field] = f"{noun} must be today or in the past"


def _lock(conference: FamilyGroupConference) -> FamilyGroupConference:
    return FamilyGroupConference.objects.select_for_update().select_related("case__family").get(pk=conference.pk)


@transaction.atomic
def fgc_offer(*, actor: User, case: Case, offered_on: datetime.date | None) -> FamilyGroupConference:
    """Offer the family a conference, on `offered_on`."""
    errors: dict[str, str] = {}
    _past(offered_on, "offered_on", "The date it was offered", errors, required="Enter the date it was offered")
    if errors:
        raise ValidationError(errors)
    case = _check_actor(actor, case)
    open_one = FamilyGroupConference.objects.filter(case=case, held_on__isnull=True).exclude(
        response=ConferenceResponse.DECLINED
    )
    if open_one.exists():
        raise ValidationError(ALREADY_OFFERED, code="open")
    conference = FamilyGroupConference.objects.create(case=case, offered_on=offered_on, recorded_by=actor)
    case_services.chronology_record(
        family=case.family,
        case=case,
        event="fgc_offered",
        actor=actor,
        summary=f"Family group conference offered on {offered_on:%-d %B %Y}",
    )
    return conference


@transaction.atomic
def fgc_respond(
    *, actor: User, conference: FamilyGroupConference, response: str, responded_on: datetime.date | None
) -> FamilyGroupConference:
    """The family's answer: accepted or declined, on `responded_on` (not before the offer)."""
    errors: dict[str, str] = {}
    if response not in (ConferenceResponse.ACCEPTED, ConferenceResponse.DECLINED):
        errors["response"] = "Select whether the family accepted or declined"
    _past(responded_on, "responded_on", "The date of their answer", errors, required="Enter the date of their answer")
    if "responded_on" not in errors and responded_on < conference.offered_on:
        errors["responded_on"] = "The date of their answer must be on or after the date it was offered"
    if errors:
        raise ValidationError(errors)
    _check_actor(actor, conference.case)
    conference = _lock(conference)
    if conference.held_on is not None:
        raise ValidationError(HELD_ALREADY, code="held")
    conference.response = response
    conference.responded_on = responded_on
    conference.updated_at = timezone.now()
    conference.save(update_fields=["response", "responded_on", "updated_at"])
    case = conference.case
    case_services.chronology_record(
        family=case.family,
        case=case,
        event="fgc_answered",
        actor=actor,
        summary=f"Family group conference {ConferenceResponse(response).label.lower()} by the family "
        f"on {responded_on:%-d %B %Y}",
    )
    return conference


@transaction.atomic
def fgc_record_held(
    *,
    actor: User,
    conference: FamilyGroupConference,
    held_on: datetime.date | None,
    attended: str,
    family_plan: str,
) -> FamilyGroupConference:
    """The conference was held on `held_on`: who attended and the family's own plan from it."""
    attended, family_plan = (attended or "").strip(), (family_plan or "").strip()
    errors: dict[str, str] = {}
    _past(held_on, "held_on", "The date it was held", errors, required="Enter the date it was held")
    if not attended:
        errors["attended"] = "Enter who attended"
    if not family_plan:
        errors["family_plan"] = "Enter the family's plan from the conference"
    _check_actor(actor, conference.case)
    conference = _lock(conference)  # read again: the answer may have been recorded since
    if "held_on" not in errors and held_on < (conference.responded_on or conference.offered_on):
        errors["held_on"] = "The date it was held must be on or after the date the family accepted"
    if errors:
        raise ValidationError(errors)
    if conference.held_on is not None:
        raise ValidationError(HELD_ALREADY, code="held")
    if conference.response != ConferenceResponse.ACCEPTED:
        raise ValidationError(NOT_ACCEPTED, code="not_accepted")
    conference.held_on = held_on
    conference.attended = attended
    conference.family_plan = family_plan
    conference.updated_at = timezone.now()
    conference.save(update_fields=["held_on", "attended", "family_plan", "updated_at"])
    case = conference.case
    case_services.chronology_record(
        family=case.family,
        case=case,
        event="fgc_held",
        actor=actor,
        summary=f"Family group conference held on {held_on:%-d %B %Y}",
        body=f"Who attended: {attended}\n\nThe family's plan:\n{family_plan}",
    )
    return conference

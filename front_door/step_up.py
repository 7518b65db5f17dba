"""Step up: an early help case escalated to the front door because harm is suspected.

The lead professional (or the team manager) of an active case says why; the front door receives a
referral on its own internal channel (`Channel.STEP_UP`, "Step up from early help") naming the
case's household, each person linked to their record, the family and the case linked, at the top
of the duty managers' queue (`selectors.referral_queue` puts step ups first), and every duty
manager is told at once through the outbox (a link, never the family's details). The referral then
takes the front door's ordinary road: the 24-hour decision clock, triage, a decision (amended,
never overwritten) and the letter to the referrer, here the lead professional. The `Handover` row
keeps the reason and the case; the case's chronology records the step up, the family's records
the referral's arrival (the front door's decision is recorded by `services.referral_decide`).

A step up still waiting for the front door's decision is not made twice (a double click, two tabs):
the waiting one is returned."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from cases import services as case_services
from cases.models import Case, CaseStatus, User
from cases.notifications import notification_queue
from cases.permissions import MANAGE_CASE, user_has_case_perm
from cases.roles import Role

from .models import Channel, Handover, HandoverDirection, Referral, ReferralStatus
from .services import PersonData, referral_create, referral_person_add, referral_submit

ENTER_REASON = "Enter why the family needs children's social care"
NOT_ACTIVE = "Only an active case can be stepped up"
NOT_ALLOWED = "Only the case's lead professional or team manager can step it up"
CONSENT_NOT_SOUGHT = (
    "A step up to children's social care because harm is suspected: asking the family first could put a child at risk"
)
OPEN = (ReferralStatus.AWAITING_DECISION, ReferralStatus.MORE_INFORMATION)


def step_up_waiting(case: Case) -> Referral | None:
    """The case's step up still waiting for the front door's decision, if any."""
    handover = (
        Handover.objects.filter(case_id=case.pk, direction=HandoverDirection.STEP_UP, referral__status__in=OPEN)
        .select_related("referral")
        .order_by("-made_at", "-id")
        .first()
    )
    return handover.referral if handover else None


def duty_managers() -> list[User]:
    """Who is told of a step up: every active duty manager with an email address."""
    return list(
        User.objects.filter(is_active=True, groups__name=Role.DUTY_MANAGER).exclude(email="").distinct().order_by("pk")
    )


def _tell_duty_managers(referral: Referral) -> int:
    """One message per duty manager, once (the outbox's key): the reference and a link to triage."""
    url = settings.SITE_URL.rstrip("/") + reverse("front_door:triage", args=[referral.pk])
    managers = duty_managers()
    for manager in managers:
        notification_queue(
            dedupe_key=f"step-up:{referral.pk}:{manager.pk}",
            recipient=manager,
            subject=f"Urgent: step up from early help {referral.reference}",
            body=(
                f"An early help case has been stepped up to the front door ({referral.reference}) because harm "
                "is suspected. Consult with children's social care immediately.\n\n"
                f"{url}"
            ),
        )
    return len(managers)


@transaction.atomic
def referral_from_step_up(*, actor: User, case: Case, reason: str) -> Referral:
    """Escalate `case` to the front door with `reason`: a referral on the step up channel with the
    case and its family linked, at the top of the queue, every duty manager told at once.

    Before: `actor` may manage the case (its lead professional, or a team manager of its team) and
    the case is active; a reason is given. A step up still waiting for a decision is returned as it is."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ENTER_REASON})
    if not user_has_case_perm(actor, case, MANAGE_CASE):
        raise PermissionDenied(NOT_ALLOWED)
    case = Case.objects.select_for_update().select_related("family").get(pk=case.pk)
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError(NOT_ACTIVE, code="not_active")
    waiting = step_up_waiting(case)
    if waiting is not None:
        return waiting
    family = case.family
    referral = referral_create(
        channel=Channel.STEP_UP,
        actor=actor,
        address_line_1=family.address_line_1,
        address_line_2=family.address_line_2,
        town=family.town,
        postcode=family.postcode,
        level_of_need=case.level_of_need,
        concerns=f"Stepped up from early help case {case.reference}: {reason}",
        consent_given=False,
        consent_not_sought_reason=CONSENT_NOT_SOUGHT,
    )
    memberships = family.memberships.filter(in_household=True).select_related("person").order_by("id")
    for membership in memberships:
        person = membership.person
        added = referral_person_add(
            referral=referral,
            data=PersonData(
                kind=person.kind,
                first_name=person.first_name,
                last_name=person.last_name,
                date_of_birth=person.date_of_birth,
                expected_date_of_birth=person.expected_date_of_birth,
                gender=person.gender,
                nhs_number=person.nhs_number,
                upn=person.upn,
                parental_responsibility=membership.parental_responsibility,
            ),
        )
        added.person = person
        added.save(update_fields=["person"])
    referral.family = family
    referral.case = case
    referral.save(update_fields=["family", "case"])
    referral = referral_submit(referral=referral, actor=actor)
    Handover.objects.create(
        referral=referral,
        direction=HandoverDirection.STEP_UP,
        case=case,
        reason=reason,
        made_by=actor,
        made_at=referral.received_at or timezone.now(),
    )
    # The family's record: the front door received it (as the decision's family link would record).
    case_services.chronology_record(
        family=family,
        event="referral_received",
        actor=actor,
        occurred_at=referral.received_at,
        summary=f"Referral {referral.reference} received (step up from early help)",
    )
    case_services.chronology_record(
        family=family,
        case=case,
        event="case_stepped_up",
        actor=actor,
        summary=Truncator(
            f"Stepped up to the front door for children's social care: referral {referral.reference}"
        ).chars(300),
        body=reason,
    )
    _tell_duty_managers(referral)
    return referral

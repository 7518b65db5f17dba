"""Writes of the front door: receive, claim, match, decide, amend, ask partners, tell the referrer.

Every referral received gets a reference and starts two clocks: the 24-hour decision (reminding
duty managers, escalating to team managers) and the 72-hour letter to the referrer.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import Truncator

from cases import services as case_services
from cases.configuration import OPENED_IN_ERROR
from cases.deadlines import deadline_cancel, deadline_meet, deadline_start
from cases.models import (
    Agency,
    Case,
    CaseStatus,
    ChronologyEntry,
    ClosureReason,
    Destination,
    Family,
    FamilyMembership,
    LevelOfNeed,
    PanelRoute,
    Person,
    User,
)
from cases.roles import Role
from cases.selectors import locality_for_postcode
from cases.validators import normalise_nhs_number, normalise_postcode, normalise_upn

from . import selectors
from .models import (
    Channel,
    Decision,
    DecisionOutcome,
    InformationRequest,
    Referral,
    ReferralPerson,
    ReferralStatus,
    ReferrerRelationship,
)
from .permissions import may_ask_partners_about_case

DUPLICATE_WINDOW = datetime.timedelta(days=7)
# An unsent draft nobody has saved an answer to for this long is deleted (referral_drafts_delete_unused).
DRAFT_KEPT_FOR = datetime.timedelta(days=28)
DRAFT_DELETE_BATCH = 500
DECISION_CLOCK = "front-door-decision"
LETTER_CLOCK = "referrer-letter"
MASH_CLOCK = "mash-information"
# A partner agency's answer about a case, before the Early Help Panel.
PARTNER_CLOCK = "partner-information"
# From the front door's receipt of a referral to an offer of support, for a case sent to the panel.
OFFER_CLOCK = "front-door-to-offer"
# The agency types of schools and early years settings: a child's school or setting is one of them.
SCHOOL_TYPES = ("school", "early-years")

S = ReferralStatus
ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.AWAITING_DECISION): "submit",
    (S.AWAITING_DECISION, S.MORE_INFORMATION): "request_information",
    (S.AWAITING_DECISION, S.DECIDED): "decide",
    (S.MORE_INFORMATION, S.MORE_INFORMATION): "request_information",
    (S.MORE_INFORMATION, S.DECIDED): "decide",
}


class ReferralClaimed(ValidationError):
    pass


@dataclass
class PersonData:
    kind: str
    first_name: str
    last_name: str
    date_of_birth: datetime.date | None = None
    expected_date_of_birth: datetime.date | None = None
    gender: str = "U"
    nhs_number: str = ""
    upn: str = ""
    school: str = ""
    relationship: str = ""
    parental_responsibility: bool = False


def _next_reference() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('referral_reference_seq')")
        (number,) = cursor.fetchone()
    return f"EH-{timezone.localdate().year}-{number:06d}"


def referral_check_complete(referral: Referral) -> dict[str, str]:
    """What a referral still needs before it can be submitted, as field errors in GOV.UK words."""
    errors: dict[str, str] = {}
    people = list(referral.people.all())
    if not any(p.kind != Person.Kind.ADULT for p in people):
        errors["children"] = "Add at least one child or unborn baby"
    if not referral.concerns.strip():
        errors["concerns"] = "Enter what you are worried about"
    if referral.consent_given is None:
        errors["consent_given"] = "Select whether the family agreed to this referral"
    elif referral.consent_given is False and not referral.consent_not_sought_reason.strip():
        errors["consent_not_sought_reason"] = "Explain why asking the family would put a child at risk"
    if referral.referrer_id is None and not referral.referrer_name.strip():
        errors["referrer_name"] = "Enter your name"
    if referral.referrer_id is None and not (referral.referrer_email or referral.referrer_phone):
        errors["referrer_email"] = "Enter an email address or phone number so we can tell you what happens next"
    return errors


def _referrer_key(referral: Referral) -> tuple[str, Q] | None:
    """Who sent it, for the duplicate rule: the account, else the email address, else the phone."""
    if referral.referrer_id:
        return f"user:{referral.referrer_id}", Q(referrer_id=referral.referrer_id)
    if referral.referrer_email:
        return f"email:{referral.referrer_email.lower()}", Q(referrer_email__iexact=referral.referrer_email)
    if referral.referrer_phone:
        return f"phone:{referral.referrer_phone}", Q(referrer_phone=referral.referrer_phone)
    return None


def _child_keys(child: ReferralPerson) -> list[str]:
    """What makes two referrals' children the same child: the NHS number, or the name and date of birth."""
    keys = [f"name:{child.first_name.lower()}|{child.last_name.lower()}|{child.date_of_birth}"]
    if child.nhs_number:
        keys.append(f"nhs:{child.nhs_number}")
    return keys


def _lock_duplicate_keys(referrer: str, children: list[ReferralPerson]) -> None:
    """Serialise the submissions that could be duplicates of each other (the same referrer about the
    same child) until the transaction ends: without it, identical referrals sent at the same moment
    each find no earlier one and all become originals. The locks are taken in one order, so two
    referrals naming the same children in another order cannot deadlock."""
    keys = sorted({f"front_door.duplicate|{referrer}|{key}" for child in children for key in _child_keys(child)})
    with connection.cursor() as cursor:
        for key in keys:
            lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def _find_duplicate(referral: Referral) -> Referral | None:
    """An earlier referral from the same referrer about the same child, received within the window.
    Call inside the submitting transaction: it holds the duplicate key's lock until it commits."""
    referrer = _referrer_key(referral)
    children = list(referral.people.exclude(kind=Person.Kind.ADULT))
    if referrer is None or not children:
        return None
    key, same_referrer = referrer
    _lock_duplicate_keys(key, children)
    since = timezone.now() - DUPLICATE_WINDOW
    earlier = (
        Referral.objects.filter(received_at__gte=since)
        .filter(same_referrer)
        .exclude(pk=referral.pk)
        .exclude(status=S.DRAFT)
    )
    same_child = Q()
    for child in children:
        if child.nhs_number:
            same_child |= Q(people__nhs_number=child.nhs_number)
        same_child |= Q(
            people__first_name__iexact=child.first_name,
            people__last_name__iexact=child.last_name,
            people__date_of_birth=child.date_of_birth,
        )
    original = earlier.filter(same_child).order_by("received_at", "id").first()
    return (original.duplicate_of or original) if original else None


@transaction.atomic
def referral_create(
    *,
    channel: str,
    actor: User | None = None,
    referrer_relationship: str = ReferrerRelationship.PRACTITIONER,
    **fields,
) -> Referral:
    """A draft referral. A signed-in practitioner is its referrer, unless they are recording a
    contact for someone else (contact officers: phone and email)."""
    if channel in (Channel.PHONE, Channel.EMAIL):
        if actor is None or not actor.has_role(Role.CONTACT_OFFICER, Role.DUTY_MANAGER):
            raise PermissionDenied("Only contact officers and duty managers record phone and email contacts.")
        referral = Referral(channel=channel, recorded_by=actor, referrer_relationship=referrer_relationship, **fields)
    else:
        referral = Referral(channel=channel, referrer=actor, referrer_relationship=referrer_relationship, **fields)
        if actor is not None:
            referral.referrer_agency = actor.agency
            referral.referrer_name = referral.referrer_name or actor.get_full_name()
            referral.referrer_role = referral.referrer_role or actor.job_title
            referral.referrer_email = referral.referrer_email or actor.email
            referral.referrer_phone = referral.referrer_phone or actor.phone
    if referral.postcode:
        referral.postcode = normalise_postcode(referral.postcode)
    if referral.consent_given is False and not referral.consent_not_sought_reason.strip():
        # The check constraint would refuse it in words nobody understands ("Constraint ... is violated").
        raise ValidationError({"consent_not_sought_reason": "Explain why asking the family would put a child at risk"})
    # consent_given may be unanswered in a draft; referral_check_complete asks for it before submitting.
    referral.full_clean(exclude=["reference", "family", "case", "duplicate_of"])
    referral.save()
    return referral


def _person_from_data(referral: Referral, data: PersonData, person: ReferralPerson | None = None) -> ReferralPerson:
    """`data` on a new person of `referral` (or on `person`), checked: ValidationError in GOV.UK words."""
    person = person or ReferralPerson(referral=referral)
    person.kind = data.kind
    person.first_name = data.first_name.strip()
    person.last_name = data.last_name.strip()
    person.date_of_birth = data.date_of_birth
    person.expected_date_of_birth = data.expected_date_of_birth
    person.gender = data.gender or "U"
    person.nhs_number = normalise_nhs_number(data.nhs_number)
    person.upn = normalise_upn(data.upn)
    person.school = data.school.strip()
    person.relationship = data.relationship.strip()
    person.parental_responsibility = data.parental_responsibility
    errors = {}
    if not person.first_name:
        errors["first_name"] = "Enter their first name"
    if not person.last_name:
        errors["last_name"] = "Enter their last name"
    today = timezone.localdate()
    if person.date_of_birth and person.date_of_birth > today:
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    try:
        twenty_five_years_ago = today.replace(year=today.year - 25)
    except ValueError:  # 29 February, and 25 years before was no leap year
        twenty_five_years_ago = today.replace(year=today.year - 25, day=28)
    if person.kind == Person.Kind.CHILD and person.date_of_birth and person.date_of_birth < twenty_five_years_ago:
        errors["date_of_birth"] = "A child's date of birth must be within the last 25 years"
    if person.kind == Person.Kind.UNBORN:
        if not person.expected_date_of_birth:
            errors["expected_date_of_birth"] = "Enter the expected date of birth"
        elif person.expected_date_of_birth < today - datetime.timedelta(days=31):
            errors["expected_date_of_birth"] = "The expected date of birth must be in the future"
    if errors:
        raise ValidationError(errors)
    person.full_clean(exclude=["referral", "person"])
    return person


def _touch(referral: Referral) -> None:
    """The draft was used now: the 28 days before an unused draft is deleted start again."""
    referral.updated_at = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(updated_at=referral.updated_at)


@transaction.atomic
def referral_person_add(*, referral: Referral, data: PersonData) -> ReferralPerson:
    # Locked and read again: another tab may have just sent the referral.
    if Referral.objects.select_for_update().get(pk=referral.pk).status != S.DRAFT:
        raise ValidationError("A submitted referral cannot be changed; add a note at the front door instead.")
    person = _person_from_data(referral, data)
    person.save()
    _touch(referral)
    return person


def draft_belongs_to(referral: Referral, actor: User | None) -> bool:
    """Whether `referral` is a draft `actor` is writing: a practitioner's own referral, a contact a
    contact officer is recording, or (no actor) a member of the public's request, which their
    session holds (the views keep its id there, never in a URL)."""
    if referral.status != S.DRAFT:
        return False
    if actor is None:
        return referral.channel == Channel.PUBLIC and referral.referrer_id is None and referral.recorded_by_id is None
    if referral.channel in (Channel.PHONE, Channel.EMAIL):
        return referral.recorded_by_id == actor.pk
    return referral.referrer_id == actor.pk


def _lock_draft(*, actor: User | None, referral: Referral) -> Referral:
    """The draft, locked (another tab may be sending it), if it is still `actor`'s draft."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not draft_belongs_to(referral, actor):
        raise ValidationError("This referral has been sent, so it can no longer be changed.")
    return referral


@transaction.atomic
def referral_draft_update(*, actor: User | None, referral: Referral, **fields) -> Referral:
    """Save answers to a draft (see `draft_belongs_to`). Locks the row, so an answer cannot land on
    a referral that another tab has just sent."""
    referral = _lock_draft(actor=actor, referral=referral)
    for name, value in fields.items():
        setattr(referral, name, value)
    if referral.postcode:
        referral.postcode = normalise_postcode(referral.postcode)
    referral.updated_at = timezone.now()
    exclude = ["reference", "family", "case", "duplicate_of"]
    if referral.consent_given is None:
        exclude.append("consent_given")  # not answered yet (null=True without blank=True on the model)
    referral.full_clean(exclude=exclude)
    referral.save(update_fields=[*fields, "updated_at"])
    return referral


@transaction.atomic
def referral_draft_person_update(
    *, actor: User | None, referral: Referral, person_id: int, data: PersonData
) -> ReferralPerson:
    """Correct a person on a draft. ReferralPerson.DoesNotExist when there is no such person on it,
    or the referral is no longer the actor's draft; ValidationError for answers that cannot be kept."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    person = ReferralPerson.objects.filter(referral=referral, pk=person_id).first()
    if person is None or not draft_belongs_to(referral, actor):
        raise ReferralPerson.DoesNotExist("No such person on this draft")
    person = _person_from_data(referral, data, person)
    person.save()
    _touch(referral)
    return person


@transaction.atomic
def referral_draft_person_remove(*, actor: User | None, referral: Referral, person_id: int) -> ReferralPerson:
    """Take a person off a draft. ReferralPerson.DoesNotExist when there is no such person on it,
    or the referral is no longer the actor's draft."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    person = ReferralPerson.objects.filter(referral=referral, pk=person_id).first()
    if person is None or not draft_belongs_to(referral, actor):
        raise ReferralPerson.DoesNotExist("No such person on this draft")
    person.delete()
    _touch(referral)
    return person


@transaction.atomic
def referral_draft_delete(*, actor: User | None, referral: Referral) -> Referral:
    """Delete a draft and the people typed into it: nothing was sent, so nothing is kept.
    Referral.DoesNotExist when it is not (or no longer) the actor's draft."""
    referral = Referral.objects.select_for_update().filter(pk=referral.pk).first()
    if referral is None or not draft_belongs_to(referral, actor):
        raise Referral.DoesNotExist("No such draft")
    referral.delete()
    return referral


def referral_drafts_delete_unused(*, now: datetime.datetime | None = None) -> int:
    """Delete the drafts nobody has saved an answer to for DRAFT_KEPT_FOR, with their people; a
    sent referral is never deleted. Returns how many drafts went. Safe to run twice, and in
    batches, so a large backlog does not hold locks for long."""
    cutoff = (now or timezone.now()) - DRAFT_KEPT_FOR
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                Referral.objects.select_for_update(skip_locked=True)
                .filter(status=S.DRAFT, updated_at__lt=cutoff)
                .values_list("pk", flat=True)[:DRAFT_DELETE_BATCH]
            )
            if not batch:
                return deleted
            # The rows are locked: none of them can be sent meanwhile.
            ReferralPerson.objects.filter(referral_id__in=batch).delete()
            Referral.objects.filter(pk__in=batch).delete()
            deleted += len(batch)


@transaction.atomic
def referral_submit(*, referral: Referral, actor: User | None = None) -> Referral:
    """Receive a referral: give it a reference, link a repeat to the one it repeats, start the clocks."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != S.DRAFT:
        return referral  # submitting twice (a double click) changes nothing
    if actor is not None and referral.referrer_id not in (None, actor.pk) and referral.recorded_by_id != actor.pk:
        raise PermissionDenied("This is someone else's draft.")
    errors = referral_check_complete(referral)
    if errors:
        raise ValidationError(errors)
    # First, as it may wait for an identical referral being sent at the same moment: this one is
    # then received after it, and linked to it.
    referral.duplicate_of = _find_duplicate(referral)
    referral.reference = _next_reference()
    referral.received_at = timezone.now()
    referral.status = S.AWAITING_DECISION
    referral.locality = locality_for_postcode(referral.postcode) or (
        referral.referrer_agency.locality if referral.referrer_agency_id else None
    )
    decision_clock = deadline_start(
        timescale_code=DECISION_CLOCK,
        subject_type="referral",
        subject_id=referral.pk,
        reference=referral.reference,
        started_at=referral.received_at,
        remind_role=Role.DUTY_MANAGER,
        escalate_role=Role.TEAM_MANAGER,
    )
    referral.decision_due_at = decision_clock.due_at
    referral.save(update_fields=["reference", "received_at", "status", "duplicate_of", "locality", "decision_due_at"])
    deadline_start(
        timescale_code=LETTER_CLOCK,
        subject_type="referral",
        subject_id=referral.pk,
        reference=referral.reference,
        started_at=referral.received_at,
        remind_role=Role.DUTY_MANAGER,
        escalate_role=Role.TEAM_MANAGER,
    )
    return referral


@transaction.atomic
def referral_receive(*, channel: str, people: list[PersonData], actor: User | None = None, **fields) -> Referral:
    """Create and submit in one go (public form, API, contact officer): all or nothing."""
    referral = referral_create(channel=channel, actor=actor, **fields)
    errors: dict[str, list[str]] = {}
    for index, data in enumerate(people):
        try:
            referral_person_add(referral=referral, data=data)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(f"people[{index}].{field}", []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return referral_submit(referral=referral, actor=actor)


@transaction.atomic
def referral_confirm_in_writing(*, actor: User, referral: Referral) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.channel not in (Channel.PHONE, Channel.EMAIL):
        raise ValidationError("Only phone and email contacts need confirming in writing.")
    if referral.confirmed_in_writing_at is None:
        referral.confirmed_in_writing_at = timezone.now()
        referral.save(update_fields=["confirmed_in_writing_at"])
    return referral


def _require_duty_manager(actor: User) -> None:
    if not actor.has_role(Role.DUTY_MANAGER):
        raise PermissionDenied("Only duty managers triage referrals.")


@transaction.atomic
def referral_claim(*, actor: User, referral: Referral) -> Referral:
    """Take a referral to triage. The row lock makes two managers' claims queue behind each other;
    the second sees the first's claim and is refused."""
    _require_duty_manager(actor)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in (S.AWAITING_DECISION, S.MORE_INFORMATION):
        raise ValidationError("This referral is not waiting for a decision.")
    if referral.claimed_by_id and referral.claimed_by_id != actor.pk:
        raise ReferralClaimed(
            f"{referral.claimed_by.get_full_name()} is already working on this referral.", code="claimed"
        )
    referral.claimed_by = actor
    referral.claimed_at = timezone.now()
    referral.save(update_fields=["claimed_by", "claimed_at"])
    return referral


@transaction.atomic
def referral_release(*, actor: User, referral: Referral) -> Referral:
    _require_duty_manager(actor)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.claimed_by_id == actor.pk:
        referral.claimed_by = None
        referral.claimed_at = None
        referral.save(update_fields=["claimed_by", "claimed_at"])
    return referral


def _person_from(referral_person: ReferralPerson) -> Person:
    # The NHS number and UPN identify one person: a second record with the same one would break
    # their unique constraints (a server error), so the duty manager is asked to link instead.
    known = Q(pk__in=[])
    if referral_person.nhs_number:
        known |= Q(nhs_number=referral_person.nhs_number)
    if referral_person.upn:
        known |= Q(upn=referral_person.upn)
    if Person.objects.filter(known).exists():
        raise ValidationError(
            f"{referral_person.full_name} has the NHS number or Unique Pupil Number of a known person: "
            "link them to that record",
            code="known_person",
        )
    # The school or setting as typed: the known school of that name when there is one (so its staff
    # are offered for the team and asked at MASH), and always the name as the referrer gave it.
    school = None
    if referral_person.school:
        school = Agency.objects.filter(
            name__iexact=referral_person.school, agency_type__code__in=SCHOOL_TYPES, active=True
        ).first()
    return Person.objects.create(
        kind=referral_person.kind,
        first_name=referral_person.first_name,
        last_name=referral_person.last_name,
        date_of_birth=referral_person.date_of_birth if referral_person.kind != Person.Kind.UNBORN else None,
        expected_date_of_birth=referral_person.expected_date_of_birth,
        gender=referral_person.gender,
        nhs_number=referral_person.nhs_number,
        upn=referral_person.upn,
        school=school,
        school_name=referral_person.school,
    )


@transaction.atomic
def referral_person_link(*, actor: User, referral_person: ReferralPerson, person: Person | None = None) -> Person:
    """Link someone named in a referral to a known person, or (person=None) record them as new."""
    _require_duty_manager(actor)
    if person is None:
        person = _person_from(referral_person)
    referral_person.person = person
    referral_person.save(update_fields=["person"])
    return person


def _family_of_linked_people(referral: Referral) -> Family | None:
    """The known family of the people already linked (the one with an open case first, then the one
    most of them belong to), so that a known family is joined rather than copied."""
    person_ids = list(referral.people.filter(person__isnull=False).values_list("person_id", flat=True))
    if not person_ids:
        return None
    return (
        Family.objects.filter(memberships__person_id__in=person_ids)
        .annotate(
            open_cases=Count("cases", filter=~Q(cases__status=CaseStatus.CLOSED), distinct=True),
            linked=Count("memberships", filter=Q(memberships__person_id__in=person_ids), distinct=True),
        )
        .order_by("-open_cases", "-linked", "-created_at", "-pk")
        .first()
    )


def _link_by_identifier(referral: Referral) -> None:
    """Someone named with the NHS number or Unique Pupil Number of a known person is that person:
    the identifiers are exact, so the link is made without asking (names and dates are only offered
    as candidates at triage)."""
    unlinked = list(referral.people.filter(person__isnull=True))
    known = selectors.people_known_by_identifier(unlinked)
    for referral_person in unlinked:
        if referral_person.pk in known:
            referral_person.person = known[referral_person.pk]
            referral_person.save(update_fields=["person"])


def referral_people_to_create(referral: Referral) -> list[ReferralPerson]:
    """The people named on the referral for whom a decision would make a new record: neither linked
    at triage nor known by their NHS number or Unique Pupil Number."""
    people = list(referral.people.all())
    known = selectors.people_known_by_identifier(people)
    return [rp for rp in people if rp.person_id is None and rp.pk not in known]


@transaction.atomic
def referral_family_link(*, actor: User, referral: Referral, family: Family | None = None) -> Family:
    """Attach the referral to a known family, or (family=None) to the family of the people already
    linked, else create one from the referral. Everyone named is linked (new records for those not
    yet matched) and made a member of the family."""
    _require_duty_manager(actor)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _link_by_identifier(referral)
    if family is None:
        family = referral.family or _family_of_linked_people(referral)
    if family is None:
        first = referral.people.order_by("kind", "id").first()
        family = Family.objects.create(
            name=f"{first.last_name} family" if first else "Family",
            address_line_1=referral.address_line_1,
            address_line_2=referral.address_line_2,
            town=referral.town,
            postcode=referral.postcode,
            locality=referral.locality,
        )
    for referral_person in referral.people.select_related("person"):
        person = referral_person.person or referral_person_link(actor=actor, referral_person=referral_person)
        FamilyMembership.objects.get_or_create(
            family=family,
            person=person,
            defaults={"parental_responsibility": referral_person.parental_responsibility},
        )
    if referral.family_id != family.pk:
        referral.family = family
        referral.save(update_fields=["family"])
        by, summary = _received_by(referral)
        case_services.chronology_record(
            family=family, event="referral_received", actor=by, occurred_at=referral.received_at, summary=summary
        )
    return family


def _received_by(referral: Referral) -> tuple[User | None, str]:
    """Who the chronology names for a referral's arrival, and its summary: the practitioner who
    referred; the contact officer who recorded a phone call or email (from whom is said in words);
    nobody for the public form, whose referrer has no account (their relationship is said instead).
    Never the duty manager who links the family: they decided it, they did not refer it."""
    channel = referral.get_channel_display().lower()
    summary = f"Referral {referral.reference} received ({channel})"
    if referral.channel in (Channel.PHONE, Channel.EMAIL) and referral.recorded_by_id:
        recorder = referral.recorded_by
        contact = "Phone contact" if referral.channel == Channel.PHONE else "Email contact"
        return recorder, (
            f"{contact} {referral.reference} from {referral.get_referrer_relationship_display().lower()}, "
            f"recorded by {recorder.get_full_name()}"
        )
    if referral.referrer_id:
        return referral.referrer, summary
    return None, (
        f"Referral {referral.reference} received from {referral.get_referrer_relationship_display().lower()} "
        f"({channel})"
    )


NEW_PEOPLE_UNCONFIRMED = "Confirm that new records will be made for the people not linked to a known record"
DUE_IN_THE_PAST = "The date the answers are due must be in the future"


def _validate_decision(
    outcome: str,
    destination: Destination | None,
    reason: str,
    information_requests: list[tuple[Agency, str]],
    due_at: datetime.datetime | None = None,
) -> None:
    """What a decision must say, whoever sends it (the page or the API). Which destinations fit which
    outcome is configuration (`Destination.outcomes`): an outcome with destinations to choose from
    needs one of them, and one without takes none."""
    errors = {}
    if outcome not in DecisionOutcome.values:
        errors["outcome"] = "Select the decision"
    elif destination is not None and not destination.fits(outcome):
        errors["destination"] = (
            f"{destination.name} is not a destination for the decision "
            f"'{DecisionOutcome(outcome).label}': select a destination that fits it"
        )
    elif destination is None and Destination.objects.active().filter(outcomes__contains=[outcome]).exists():
        errors["destination"] = "Select a destination"
    if not reason.strip():
        errors["reason"] = "Enter the reason for the decision"
    if outcome == DecisionOutcome.MORE_INFORMATION and not information_requests:
        errors["agencies"] = "Select the agencies to ask for information"
    if outcome == DecisionOutcome.MORE_INFORMATION and due_at is not None and due_at <= timezone.now():
        errors["due_at"] = DUE_IN_THE_PAST
    if errors:
        raise ValidationError(errors)


def _refuse_repeated_enquiry(referral: Referral, information_requests: list[tuple[Agency, str]]) -> None:
    """A MASH decision asks agencies that have not been asked yet, or have answered: the same
    enquiry sent twice (a double click, or two duty managers at once) is refused, as a second
    final decision is, so there is one decision and one letter. Called with the referral locked, so
    the second request sees the first one's enquiries."""
    agencies = {agency.pk: agency for agency, _question in information_requests}
    waiting = set(
        InformationRequest.objects.filter(
            referral=referral, agency_id__in=agencies, answered_at__isnull=True
        ).values_list("agency_id", flat=True)
    )
    if waiting:
        names = ", ".join(sorted(agencies[pk].name for pk in waiting))
        raise ValidationError(
            {"agencies": f"Already asked and not yet answered: {names}. Their answers will appear on this page"},
            code="asked",
        )


def _carry_consent(*, actor: User, referral: Referral, case) -> None:
    """The referral's consent answer goes into the case, for each adult with parental responsibility."""
    for referral_person in referral.people.filter(
        kind=Person.Kind.ADULT, parental_responsibility=True, person__isnull=False
    ).select_related("person"):
        case_services.consent_carry_from_referral(
            actor=actor,
            case=case,
            person=referral_person.person,
            given=bool(referral.consent_given),
            not_sought_reason=referral.consent_not_sought_reason,
            reference=referral.reference,
        )


def _apply_outcome(
    *,
    actor: User,
    referral: Referral,
    decision: Decision,
    due_at: datetime.datetime | None,
    information_requests: list[tuple[Agency, str]],
) -> None:
    family = referral_family_link(actor=actor, referral=referral)
    referral.refresh_from_db(fields=["family"])
    _store_re_referral(referral)
    summary = f"Front door decision on {referral.reference}: {decision.get_outcome_display().lower()}"
    if decision.destination:
        summary += f", {decision.destination.name}"
    case_services.chronology_record(
        family=family,
        event="referral_decided",
        actor=actor,
        summary=summary,
        body=decision.reason,
    )
    if decision.outcome == DecisionOutcome.MORE_INFORMATION:
        for agency, question in information_requests:
            information_request_create(actor=actor, referral=referral, agency=agency, question=question, due_at=due_at)
    elif decision.outcome == DecisionOutcome.EARLY_HELP and decision.destination.opens_case:
        to_panel = decision.destination.goes_to_panel
        case = case_services.case_open(
            actor=actor,
            family=family,
            level_of_need=decision.level_of_need,
            panel_route=PanelRoute.FRONT_DOOR if to_panel else "",
        )
        if referral.case_id != case.pk:
            referral.case = case
            referral.save(update_fields=["case"])
        _carry_consent(actor=actor, referral=referral, case=case)
        if to_panel and case.waits_for_panel:
            _start_offer_clock(referral=referral, case=case)
    deadline_meet(timescale_code=DECISION_CLOCK, subject_type="referral", subject_id=referral.pk)


def _store_re_referral(referral: Referral) -> None:
    """Store the closed case the referral is a re-referral of (`selectors.re_referral_case`, the rule
    the triage page shows), once the family is linked: at each decision and amendment, so the link is
    the rule's answer when the front door last decided. Kept by the referral's history (pghistory),
    as its other links are; the chronology is not told (the triage and case pages show it)."""
    case = selectors.re_referral_case(referral=referral)
    if referral.re_referral_of_id != (case.pk if case else None):
        referral.re_referral_of = case
        referral.save(update_fields=["re_referral_of"])


def _start_offer_clock(*, referral: Referral, case: Case) -> None:
    """The 10 days from the front door to an offer of support, counted from when the front door
    received the referral; met when the panel's lead professional is assigned. It reminds the panel
    coordinators and escalates to them. A case already waiting on its clock keeps it (the first
    referral's days count)."""
    deadline_start(
        timescale_code=OFFER_CLOCK,
        subject_type="case",
        subject_id=case.pk,
        case=case,
        reference=case.reference,
        started_at=referral.received_at,
        remind_role=Role.PANEL_COORDINATOR,
        escalate_role=Role.PANEL_COORDINATOR,
    )


@transaction.atomic
def referral_decide(
    *,
    actor: User,
    referral: Referral,
    outcome: str,
    level_of_need: LevelOfNeed,
    reason: str,
    destination: Destination | None = None,
    information_requests: list[tuple[Agency, str]] = (),
    due_at: datetime.datetime | None = None,
    confirm_new_people: bool = False,
    decisions_seen: int | None = None,
) -> Decision:
    """Record the duty manager's decision: step up to social care, ask partners (MASH), early help
    with a destination that fits it (opening a case, or joining the family's open one, where it gives
    early help), or no further action.

    Before: the destination fits the outcome (configuration); a MASH enquiry's answers are due in the
    future and it asks no agency already waiting to answer; anyone named who is neither linked nor
    known by an identifier gets a new person record, which the duty manager must have confirmed
    (`confirm_new_people`); when the caller says how many decisions the referral had when it was
    read (`decisions_seen`), it still has that many: two duty managers deciding at the same moment
    (different MASH enquiries, say) record one decision, and the other is shown it. Besides: links
    the family (chronology), stores the closed case it is a re-referral of (`re_referral_of`), stops
    the 24-hour clock, and queues the letter to the referrer on commit. A destination that goes to
    the panel opens the case for the panel (`PanelRoute.FRONT_DOOR`) and starts the 10-day
    `front-door-to-offer` clock from when the referral was received."""
    _require_duty_manager(actor)
    information_requests = list(information_requests)
    _validate_decision(outcome, destination, reason, information_requests, due_at)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    to = S.MORE_INFORMATION if outcome == DecisionOutcome.MORE_INFORMATION else S.DECIDED
    if (referral.status, to) not in ALLOWED_TRANSITIONS:
        raise ValidationError("This referral has already been decided: amend the decision instead.", code="decided")
    if referral.claimed_by_id and referral.claimed_by_id != actor.pk:
        raise ReferralClaimed(f"{referral.claimed_by.get_full_name()} is working on this referral.", code="claimed")
    if decisions_seen is not None and Decision.objects.filter(referral=referral).count() != decisions_seen:
        raise ValidationError(
            "Another duty manager recorded a decision on this referral while you were deciding. "
            "Check it on this page before you decide.",
            code="stale",
        )
    if outcome == DecisionOutcome.MORE_INFORMATION:
        _refuse_repeated_enquiry(referral, information_requests)
    if not confirm_new_people and referral_people_to_create(referral):
        raise ValidationError({"confirm_new_people": NEW_PEOPLE_UNCONFIRMED}, code="unconfirmed")
    decision = Decision.objects.create(
        referral=referral,
        outcome=outcome,
        level_of_need=level_of_need,
        destination=destination,
        reason=reason.strip(),
        decided_by=actor,
    )
    referral.status = to
    referral.claimed_by = None
    referral.claimed_at = None
    referral.save(update_fields=["status", "claimed_by", "claimed_at"])
    _apply_outcome(
        actor=actor,
        referral=referral,
        decision=decision,
        due_at=due_at,
        information_requests=information_requests,
    )
    _queue_letter(decision)
    return decision


@transaction.atomic
def decision_amend(
    *,
    actor: User,
    decision: Decision,
    outcome: str,
    level_of_need: LevelOfNeed,
    reason: str,
    destination: Destination | None = None,
) -> Decision:
    """Correct a decision by recording a new one that amends it; the old one stays as it was.

    Besides: an amendment to an outcome that gives no early help through a case (step up, or a
    destination that opens none) takes the referral out of the case its earlier decision opened or
    joined (`_withdraw_from_case`). The case waits for the panel as a first decision would have left
    it: an amendment to the panel puts an awaiting case on the waiting list and starts the 10-day
    clock (as `referral_decide`); one away from the panel takes the case off the list, cancelling that
    clock, unless another referral's decision still sends it there (`_panel_wait_follow`). The
    re-referral link is worked out again and stored (`re_referral_of`). A new letter to the referrer
    is queued on commit."""
    _require_duty_manager(actor)
    if outcome == DecisionOutcome.MORE_INFORMATION:
        raise ValidationError({"outcome": "To ask partners for information, use a MASH enquiry, not an amendment"})
    _validate_decision(outcome, destination, reason, [])
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if Decision.objects.filter(amends=decision).exists():
        raise ValidationError("This decision has already been amended: amend the latest one.", code="amended")
    referral = Referral.objects.select_for_update().get(pk=decision.referral_id)
    new = Decision.objects.create(
        referral=referral,
        outcome=outcome,
        level_of_need=level_of_need,
        destination=destination,
        reason=reason.strip(),
        decided_by=actor,
        amends=decision,
    )
    if referral.status != S.DECIDED:
        referral.status = S.DECIDED
        referral.save(update_fields=["status"])
    case_before = referral.case_id
    _apply_outcome(actor=actor, referral=referral, decision=new, due_at=None, information_requests=[])
    if not _gives_early_help_through_a_case(new):
        _withdraw_from_case(actor=actor, referral=referral, decision=new)
    if case_before is not None:
        _panel_wait_follow(actor=actor, referral=referral, case_id=case_before, decision=new)
    _queue_letter(new)
    return new


def _panel_wait_follow(*, actor: User, referral: Referral, case_id: int, decision: Decision) -> None:
    """After an amendment, the case the referral was in waits for the panel only while a referral's
    standing decision sends it there. A case the front door sent to the panel (still awaiting
    allocation) that no referral now sends leaves the waiting list: its 10-day clock is cancelled,
    the panel takes it off an agenda that has not decided on it, and the partners asked about it
    before the panel are no longer chased. A case the panel has allocated or closed, or that its team
    sent back to the panel, is the panel's and stays as it is."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.status != CaseStatus.AWAITING_ALLOCATION or case.panel_route != PanelRoute.FRONT_DOOR:
        return
    sent = Decision.objects.filter(
        referral__case=case,
        amended_by__isnull=True,
        outcome=DecisionOutcome.EARLY_HELP,
        destination__goes_to_panel=True,
    )
    if sent.exists():
        return
    what = decision.get_outcome_display().lower()
    if decision.destination:
        what += f", {decision.destination.name}"
    case_services.case_withdraw_from_panel(
        actor=actor,
        case=case,
        # A destination's name is up to 200 characters and a summary holds 300.
        summary=Truncator(
            f"No longer waiting for the panel: the front door decision on {referral.reference} was amended to {what}"
        ).chars(300),
        body=decision.reason,
    )
    _stop_chasing_partners(case)


def _stop_chasing_partners(case: Case) -> None:
    """Partner requests asked about a case before the panel no longer need answers for it: their clocks
    stop (cancelled) and the requests stay open, so an agency may still answer into the chronology
    (as when the case closes: `receivers.case_closed_stop_chasing_partners`)."""
    waiting = InformationRequest.objects.filter(case=case, answered_at__isnull=True).values_list("pk", flat=True)
    for request_id in waiting:
        deadline_cancel(subject_type="information_request", subject_id=request_id, timescale_code=PARTNER_CLOCK)


def _gives_early_help_through_a_case(decision: Decision) -> bool:
    return decision.outcome == DecisionOutcome.EARLY_HELP and decision.destination.opens_case


def _case_opened_by(referral: Referral, case: Case) -> bool:
    """Whether one of this referral's own decisions opened `case`, rather than the referral joining
    the family's open case: the case was opened no earlier than the referral's first decision to give
    early help through a case (`case_open` runs after the decision is saved, in its transaction), and
    no other referral gives early help through it."""
    first_decided_at = (
        referral.decisions.filter(outcome=DecisionOutcome.EARLY_HELP, destination__opens_case=True)
        .order_by("decided_at", "id")
        .values_list("decided_at", flat=True)
        .first()
    )
    return (
        first_decided_at is not None
        and case.opened_at >= first_decided_at
        and not case.referrals.exclude(pk=referral.pk).exists()
    )


def _withdraw_from_case(*, actor: User, referral: Referral, decision: Decision) -> None:
    """The amended decision gives no early help through a case: the referral leaves the open case its
    earlier decision opened or joined. A case this referral opened, on which nobody has started work,
    closes as opened in error; any other case (the family's case the referral joined, or one a team
    has begun) stays open with a note in its chronology for the team to review. A closed case is
    history and is left as it is."""
    if referral.case_id is None:
        return
    case = Case.objects.select_for_update().select_related("family").get(pk=referral.case_id)
    if case.status == CaseStatus.CLOSED:
        return
    what = decision.get_outcome_display().lower()
    if decision.destination:
        what += f", {decision.destination.name}"
    if _case_opened_by(referral, case) and not case_services.case_work_started(case=case):
        case_services.case_close_opened_in_error(
            actor=actor,
            case=case,
            reason=ClosureReason.objects.get(code=OPENED_IN_ERROR),
            summary=(
                f"The front door decision on referral {referral.reference} that opened this case was amended "
                f"to {what}: {decision.reason}"
            ),
        )
    else:
        case_services.chronology_record(
            family=case.family,
            case=case,
            kind=ChronologyEntry.Kind.NOTE,
            event="referral_decision_amended",
            actor=actor,
            # A destination's name is up to 200 characters and a summary holds 300: what the team must
            # do comes first.
            summary=Truncator(
                f"Case left open for the team to review: the front door decision on {referral.reference} "
                f"was amended to {what}"
            ).chars(300),
            body=decision.reason,
        )
    referral.case = None
    referral.save(update_fields=["case"])


def _queue_letter(decision: Decision) -> None:
    from .tasks import send_referrer_letter

    transaction.on_commit(lambda: send_referrer_letter.delay(decision.pk))


ENTER_QUESTION = "Enter what you need to know from the agency"
ENTER_DUE_DATE = "Enter the date the answer is due"
DUE_NOT_IN_FUTURE = "Enter a date in the future for the answer"
SELECT_AGENCIES = "Select the agencies to ask"


@transaction.atomic
def information_request_create(
    *,
    actor: User,
    agency: Agency,
    question: str,
    referral: Referral | None = None,
    case: Case | None = None,
    due_at: datetime.datetime | None = None,
) -> InformationRequest:
    """Ask `agency` what it knows about a family, about exactly one of a `referral` (a MASH enquiry:
    duty managers; due after the `mash-information` clock unless `due_at` says when; escalated to the
    duty managers) or a `case` (before the Early Help Panel: see `may_ask_partners_about_case`; the
    case is open and `due_at`, required, is in the future; the `partner-information` clock reminds
    the agency and escalates to the person who asked; the case's chronology says who was asked).

    An agency already asked and not yet answered is not asked again: its open request is returned."""
    if (referral is None) == (case is None):
        raise ValueError("An information request is about a referral or a case: give exactly one")
    if case is not None:
        return _case_request_create(actor=actor, case=case, agency=agency, question=question, due_at=due_at)
    _require_duty_manager(actor)
    if not question.strip():
        raise ValidationError({"question": ENTER_QUESTION})
    request = InformationRequest.objects.filter(referral=referral, agency=agency, answered_at__isnull=True).first()
    if request:
        return request
    request = InformationRequest(
        referral=referral, agency=agency, question=question.strip(), requested_by=actor, due_at=timezone.now()
    )
    request.save()
    deadline = deadline_start(
        timescale_code=MASH_CLOCK,
        subject_type="information_request",
        subject_id=request.pk,
        reference=referral.reference,
        remind_agency=agency,
        escalate_role=Role.DUTY_MANAGER,
        due_at=due_at,
    )
    request.due_at = deadline.due_at
    request.save(update_fields=["due_at"])
    return request


def _case_request_errors(question: str, due_at: datetime.datetime | None) -> dict[str, str]:
    errors = {}
    if not question.strip():
        errors["question"] = ENTER_QUESTION
    if due_at is None:
        errors["due_at"] = ENTER_DUE_DATE
    elif due_at <= timezone.now():
        errors["due_at"] = DUE_NOT_IN_FUTURE
    return errors


def _lock_open_case(*, actor: User, case: Case) -> Case:
    """The case, locked (two coordinators asking at once ask each agency once), if `actor` may ask
    partners about it and it is open."""
    if not may_ask_partners_about_case(actor, case):
        raise PermissionDenied("Only panel coordinators and duty managers ask partner agencies about a case.")
    locked = Case.objects.select_for_update().select_related("family").get(pk=case.pk)
    if locked.status == CaseStatus.CLOSED:
        raise ValidationError("This case is closed: partner agencies can no longer be asked about it.", code="closed")
    return locked


def _case_request_create(
    *, actor: User, case: Case, agency: Agency, question: str, due_at: datetime.datetime | None
) -> InformationRequest:
    case = _lock_open_case(actor=actor, case=case)
    errors = _case_request_errors(question, due_at)
    if not agency.active:
        errors["agency"] = f"{agency.name} is no longer an active agency: select another"
    if errors:
        raise ValidationError(errors)
    request = InformationRequest.objects.filter(case=case, agency=agency, answered_at__isnull=True).first()
    if request:
        return request
    request = InformationRequest.objects.create(
        case=case, agency=agency, question=question.strip(), requested_by=actor, due_at=due_at
    )
    deadline_start(
        timescale_code=PARTNER_CLOCK,
        subject_type="information_request",
        subject_id=request.pk,
        case=case,
        reference=case.reference,
        remind_agency=agency,
        escalate_user=actor,
        due_at=due_at,
    )
    case_services.chronology_record(
        family=case.family,
        case=case,
        event="partner_information_requested",
        actor=actor,
        summary=Truncator(f"Information asked of {agency.name} for the panel").chars(300),
        body=request.question,
    )
    return request


@transaction.atomic
def case_information_requests_create(
    *, actor: User, case: Case, agencies: list[Agency], question: str, due_at: datetime.datetime | None
) -> list[InformationRequest]:
    """Ask each of `agencies` the same question about `case`, answering by `due_at` (see
    `information_request_create`): all of them or, when anything is wrong, none. An agency still
    waiting to answer keeps its open request, which is among those returned."""
    case = _lock_open_case(actor=actor, case=case)
    errors = _case_request_errors(question, due_at)
    agencies = list(dict.fromkeys(agencies))
    inactive = sorted(agency.name for agency in agencies if not agency.active)
    if not agencies:
        errors["agencies"] = SELECT_AGENCIES
    elif inactive:
        errors["agencies"] = f"No longer active agencies: {', '.join(inactive)}. Select others"
    if errors:
        raise ValidationError(errors)
    return [
        _case_request_create(actor=actor, case=case, agency=agency, question=question, due_at=due_at)
        for agency in agencies
    ]


@transaction.atomic
def information_request_answer(*, actor: User, request: InformationRequest, answer: str) -> InformationRequest:
    """A partner agency's answer, which meets the request's clock. A MASH enquiry's answer becomes
    part of the referral; a panel request's is written in the case's chronology."""
    request = InformationRequest.objects.select_for_update().select_related("agency").get(pk=request.pk)
    if actor.agency_id != request.agency_id:
        raise PermissionDenied("Only the agency that was asked can answer.")
    if request.answered_at:
        raise ValidationError("This request has already been answered.")
    if not answer.strip():
        raise ValidationError({"answer": "Enter what your agency knows about the family"})
    request.answer = answer.strip()
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.save(update_fields=["answer", "answered_by", "answered_at"])
    deadline_meet(
        timescale_code=PARTNER_CLOCK if request.for_panel else MASH_CLOCK,
        subject_type="information_request",
        subject_id=request.pk,
        met_at=request.answered_at,
    )
    if request.for_panel:
        case = Case.objects.select_related("family").get(pk=request.case_id)
        case_services.chronology_record(
            family=case.family,
            case=case,
            event="partner_information_answered",
            actor=actor,
            summary=Truncator(f"{request.agency.name} answered the panel's request").chars(300),
            body=request.answer,
        )
    return request


@transaction.atomic
def referral_from_case(*, actor: User, case: Case, concerns: str, safeguarding: bool) -> Referral:
    """The Early Help Panel sends a family back to the front door: a referral made by the coordinator
    on the panel's behalf, naming the case's household with each person linked to their record, so
    the duty manager decides it with the family's history. A safeguarding concern (a step up) is
    received without asking the family (asking could put a child at risk); otherwise the family's
    consent to early help stands for this referral."""
    if not concerns.strip():
        raise ValidationError({"concerns": "Enter what the front door needs to decide"})
    family = case.family
    referral = referral_create(
        channel=Channel.PRACTITIONER,
        actor=actor,
        address_line_1=family.address_line_1,
        address_line_2=family.address_line_2,
        town=family.town,
        postcode=family.postcode,
        concerns=(
            f"Stepped up by the Early Help Panel as a safeguarding concern ({case.reference}): {concerns.strip()}"
            if safeguarding
            else f"Sent back to the front door by the Early Help Panel ({case.reference}): {concerns.strip()}"
        ),
        consent_given=not safeguarding,
        consent_not_sought_reason=(
            "A safeguarding concern raised by the Early Help Panel: asking the family could put a child at risk"
            if safeguarding
            else ""
        ),
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
    referral.save(update_fields=["family"])
    referral = referral_submit(referral=referral, actor=actor)
    case_services.chronology_record(
        family=family,
        case=case,
        event="panel_referral_to_front_door",
        actor=actor,
        summary=f"Referral {referral.reference} sent to the front door by the Early Help Panel",
    )
    return referral

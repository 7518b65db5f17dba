"""Step down: children's social care hands a family to early help with a handover summary.

A contact channel of its own (`Channel.STEP_DOWN`): the front door's page (`step_down_views.py`,
duty managers and contact officers recording what social care sent) and the API
(`POST /api/v1/step-downs/`, for social care's system). What social care sends is checked (the
family's address, at least one child, the handover summary, the social care worker and team, the
reason, the level of need, and that the family agreed to early help, which is voluntary) and
becomes, in one transaction:

- a referral on the step down channel, received (a reference) and decided by the handover itself:
  no duty manager's decision, no 24-hour clock and no letter;
- the family: people known by NHS number or Unique Pupil Number are linked to their records, the
  family of those is joined, else a new family is made (as a front door decision would);
- the early help case, through `cases.services.case_open`, awaiting allocation: on the Early Help
  Panel's waiting list (`PanelRoute.STEPPED_DOWN`), or, as the council configures, straight to a
  team (`STEP_DOWN_ROUTE = "team"` with `STEP_DOWN_TEAMS`, below). A family with an open early help
  case joins it;
- a `Handover` row keeping the summary, the reason and who handed over; the case's chronology
  records the handover with the summary in its body.

Configuration (Django settings, both optional):
- `STEP_DOWN_ROUTE`: "panel" (the default: the panel's waiting list) or "team";
- `STEP_DOWN_TEAMS`: for "team", the team of each locality by the locality's code, the team by its
  name (`{"north": "North Family Support", "*": "County Family Support"}`; "*" for any other
  locality). A family whose locality has no team goes to the panel's waiting list.

A repeat (the same child stepped down again within 7 days: the same NHS number, or the same name and
date of birth) is received and linked to the first (`duplicate_of`), never dropped: it joins the
first's family and case, and its summary is kept with it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from cases import services as case_services
from cases.models import Case, CaseStatus, Family, FamilyMembership, LevelOfNeed, PanelRoute, Person, Team, User
from cases.roles import FRONT_DOOR_ROLES
from cases.selectors import locality_for_postcode
from cases.validators import normalise_postcode

from .models import Channel, Handover, HandoverDirection, Referral, ReferralStatus
from .services import (
    DUPLICATE_WINDOW,
    PersonData,
    _family_of_linked_people,
    _link_by_identifier,
    _lock_duplicate_keys,
    _next_reference,
    _person_from,
    referral_create,
    referral_person_add,
)

ROUTE_PANEL = "panel"
ROUTE_TEAM = "team"
NOT_ALLOWED = "Only the front door records a step down from children's social care"

ERRORS = {
    "summary": "Enter the handover summary",
    "reason": "Enter why the family is stepping down to early help",
    "social_worker": "Enter the name of the social care worker",
    "social_care_team": "Enter the social care team",
    "address_line_1": "Enter the first line of the family's address",
    "postcode": "Enter the family's postcode",
    "level_of_need": "Select the level of need",
    "family_agreed": "Confirm that the family agreed to early help: it is offered only with their agreement",
    "children": "Add at least one child or unborn baby",
}


@dataclass
class StepDownData:
    """What social care hands over."""

    summary: str
    reason: str
    social_worker: str
    social_care_team: str
    address_line_1: str
    postcode: str
    level_of_need: LevelOfNeed | None
    family_agreed: bool
    people: list[PersonData] = field(default_factory=list)
    address_line_2: str = ""
    town: str = ""
    social_worker_email: str = ""
    social_worker_phone: str = ""


def step_down_route() -> str:
    route = settings.STEP_DOWN_ROUTE
    return route if route in (ROUTE_PANEL, ROUTE_TEAM) else ROUTE_PANEL


def step_down_team(case: Case) -> Team | None:
    """The team a stepped-down case goes to when the council sends them straight to a team: its
    locality's in `STEP_DOWN_TEAMS`, else the "*" one, else none (the panel's waiting list)."""
    teams = settings.STEP_DOWN_TEAMS or {}
    code = case.locality.code if case.locality_id else ""
    name = teams.get(code) or teams.get("*")
    if not name:
        return None
    return Team.objects.select_related("agency").filter(name=name).order_by("pk").first()


def _check(data: StepDownData) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in ("social_worker", "social_care_team", "reason", "summary", "address_line_1", "postcode"):
        if not (getattr(data, name) or "").strip():
            errors[name] = ERRORS[name]
    if data.level_of_need is None:
        errors["level_of_need"] = ERRORS["level_of_need"]
    if not data.family_agreed:
        errors["family_agreed"] = ERRORS["family_agreed"]
    if not any(person.kind != Person.Kind.ADULT for person in data.people):
        errors["children"] = ERRORS["children"]
    return errors


def _find_repeat(referral: Referral) -> Referral | None:
    """An earlier step down of one of the same children within the window, whoever sent it (social
    care hands a family over once: two contact officers typing the same email are one handover).
    Serialised on the children, as the front door's duplicates are."""
    children = list(referral.people.exclude(kind=Person.Kind.ADULT))
    _lock_duplicate_keys("step-down", children)
    same_child = Q()
    for child in children:
        if child.nhs_number:
            same_child |= Q(people__nhs_number=child.nhs_number)
        same_child |= Q(
            people__first_name__iexact=child.first_name,
            people__last_name__iexact=child.last_name,
            people__date_of_birth=child.date_of_birth,
        )
    original = (
        Referral.objects.filter(channel=Channel.STEP_DOWN, received_at__gte=timezone.now() - DUPLICATE_WINDOW)
        .exclude(pk=referral.pk)
        .exclude(status=ReferralStatus.DRAFT)
        .filter(same_child)
        .order_by("received_at", "id")
        .first()
    )
    return (original.duplicate_of or original) if original else None


def _family_of(referral: Referral, repeat_of: Referral | None) -> Family:
    """The repeated handover's family, else the known family of the people known by identifier, else
    a new one; everyone named becomes a member (new records for those not known)."""
    _link_by_identifier(referral)
    if repeat_of is not None:
        # The repeat names the same people: each is the first's record of the same name (and date
        # of birth), not a second record of them.
        def key(person) -> tuple:
            return (person.kind, person.first_name.lower(), person.last_name.lower(), person.date_of_birth)

        known = {key(rp): rp.person_id for rp in repeat_of.people.filter(person__isnull=False)}
        for referral_person in referral.people.filter(person__isnull=True):
            if key(referral_person) in known:
                referral_person.person_id = known[key(referral_person)]
                referral_person.save(update_fields=["person"])
    family = (repeat_of.family if repeat_of is not None else None) or _family_of_linked_people(referral)
    if family is None:
        first = referral.people.order_by("kind", "id").first()
        family = Family.objects.create(
            name=f"{first.last_name} family",
            address_line_1=referral.address_line_1,
            address_line_2=referral.address_line_2,
            town=referral.town,
            postcode=referral.postcode,
            locality=referral.locality,
        )
    for referral_person in referral.people.select_related("person").order_by("kind", "id"):
        person = referral_person.person
        if person is None:
            try:
                person = _person_from(referral_person)
            except ValidationError as error:
                raise ValidationError({"people": error.messages}) from error
            referral_person.person = person
            referral_person.save(update_fields=["person"])
        FamilyMembership.objects.get_or_create(
            family=family,
            person=person,
            defaults={"parental_responsibility": referral_person.parental_responsibility},
        )
    return family


def _open_case(*, actor: User, family: Family, level_of_need: LevelOfNeed) -> tuple[Case, Team | None]:
    """The early help case the family is handed to: on the panel's waiting list, or given to the
    locality's team when the council sends step downs straight to a team."""
    if step_down_route() == ROUTE_TEAM:
        case = case_services.case_open(actor=actor, family=family, level_of_need=level_of_need)
        team = step_down_team(case)
        if team is not None:
            if case.status == CaseStatus.AWAITING_ALLOCATION and not case.panel_route:
                case = case_services.case_allocate_by_configuration(
                    actor=actor, case=case, team=team, reason="stepped down from children's social care"
                )
                return case, team
            return case, None  # the family's open case, further on: joined as it is
    case = case_services.case_open(
        actor=actor, family=family, level_of_need=level_of_need, panel_route=PanelRoute.STEPPED_DOWN
    )
    return case, None


@transaction.atomic
def referral_from_step_down(*, actor: User, data: StepDownData) -> Referral:
    """Receive a family from children's social care (see the module's docstring). Field errors, all
    at once, as ValidationError: people's as `people[<index>].<field>`."""
    if not actor.has_role(*FRONT_DOOR_ROLES):
        raise PermissionDenied(NOT_ALLOWED)
    errors: dict[str, list[str]] = {name: [message] for name, message in _check(data).items()}
    referral = None
    if not errors:
        try:
            referral = referral_create(
                channel=Channel.STEP_DOWN,
                actor=actor,
                referrer_name=data.social_worker.strip(),
                referrer_role=Truncator(f"Social care worker, {data.social_care_team.strip()}").chars(200),
                referrer_email=data.social_worker_email.strip(),
                referrer_phone=data.social_worker_phone.strip(),
                address_line_1=data.address_line_1.strip(),
                address_line_2=data.address_line_2.strip(),
                town=data.town.strip(),
                postcode=data.postcode.strip(),
                level_of_need=data.level_of_need,
                concerns=data.reason.strip(),
                consent_given=True,
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if referral is not None:
        for index, person in enumerate(data.people):
            try:
                referral_person_add(referral=referral, data=person)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(f"people[{index}].{name}", []).extend(messages)
    if errors:
        raise ValidationError(errors)

    repeat_of = _find_repeat(referral)
    referral.duplicate_of = repeat_of
    referral.reference = _next_reference()
    referral.received_at = timezone.now()
    referral.status = ReferralStatus.DECIDED
    referral.postcode = normalise_postcode(referral.postcode)
    referral.locality = locality_for_postcode(referral.postcode) or (
        referral.referrer_agency.locality if referral.referrer_agency_id else None
    )
    referral.save(update_fields=["duplicate_of", "reference", "received_at", "status", "postcode", "locality"])

    family = _family_of(referral, repeat_of)
    case_services.chronology_record(
        family=family,
        event="referral_received",
        actor=actor,
        occurred_at=referral.received_at,
        summary=Truncator(
            f"Referral {referral.reference} received (step down from children's social care, "
            f"{data.social_care_team.strip()})"
        ).chars(300),
    )
    case, team = _open_case(actor=actor, family=family, level_of_need=data.level_of_need)
    referral.family = family
    referral.case = case
    referral.save(update_fields=["family", "case"])
    Handover.objects.create(
        referral=referral,
        direction=HandoverDirection.STEP_DOWN,
        case=case,
        reason=data.reason.strip(),
        summary=data.summary.strip(),
        social_worker=data.social_worker.strip()[:200],
        social_care_team=data.social_care_team.strip()[:200],
        made_by=actor,
        made_at=referral.received_at,
    )
    if team is not None:
        where = f"to {team.name}"
    elif case.panel_route:
        where = "to the Early Help Panel's waiting list"
    else:
        where = f"to the family's open case {case.reference}"
    repeat = f" (a repeat of {repeat_of.reference})" if repeat_of is not None else ""
    case_services.chronology_record(
        family=family,
        case=case,
        event="case_stepped_down",
        actor=actor,
        summary=Truncator(
            f"Stepped down from children's social care ({data.social_care_team.strip()}, "
            f"{data.social_worker.strip()}) {where}: referral {referral.reference}{repeat}"
        ).chars(300),
        body=f"Reason: {data.reason.strip()}\n\nHandover summary:\n{data.summary.strip()}",
    )
    return referral

"""Demo data: consent per person and the family network for `lead.professional`'s active cases, made
through the services (`cases.services.consent_record`, `cases.network`).

Runs at CONSENT_AND_NETWORK (440): after the cases' lifecycle (400: the cases get their lead
professional there) and before the outcome readings (450) and the assessment (460), which needs the
family's consent to the assessment. On those cases:
- each household adult with parental responsibility consents to the assessment in person, witnessed;
- each child with a recorded parent (from the household's adults) gets a parent relationship, children
  are siblings, so every genogram has lines;
- on the first case a young person of 11 or over (where there is one) consents for themselves, with
  the lead professional's judgement that they can decide;
- on the second case the child's grandmother lives beyond the household, her address confidential,
  and the parent's former partner (the child's father, with parental responsibility) is not to be
  contacted;
- on a case with a health visitor in the team, the family agrees to share with health and later
  withdraws it (recorded by the team manager, so the lead professional is told).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases import network
from cases import services as case_services
from cases.demo import DemoContext, demo_step
from cases.models import Case, CaseStatus, Consent, FamilyMembership, Gender, Person, Relationship

CONSENT_AND_NETWORK = 440
WITNESS = "Priya Shah, family support worker"


def _age(born: datetime.date | None, today: datetime.date) -> int:
    if born is None:
        return -1
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _household(case: Case) -> tuple[list[FamilyMembership], list[Person]]:
    members = list(
        FamilyMembership.objects.filter(family_id=case.family_id, in_household=True)
        .select_related("person")
        .order_by("person__kind", "person__date_of_birth", "id")
    )
    adults = [m for m in members if m.person.kind == Person.Kind.ADULT]
    children = [m.person for m in members if m.person.kind == Person.Kind.CHILD]
    return adults, children


def _consent(case: Case, actor, person: Person, **extra) -> Consent:
    return case_services.consent_record(
        actor=actor,
        family=case.family,
        person=person,
        decided_on=timezone.localdate(),
        case=case,
        **{
            "scope": Consent.Scope.ASSESSMENT,
            "status": Consent.Status.GIVEN,
            "evidence": Consent.Evidence.VERBAL,
            "method": Consent.Method.IN_PERSON,
            "witness": WITNESS,
            **extra,
        },
    )


def _relate(case: Case, lead, person: Person, related: Person, kind: str) -> None:
    exists = Relationship.objects.filter(person=person, related_person=related, kind=kind).exists()
    if not exists and person.pk != related.pk:
        network.relationship_add(actor=lead, case=case, person=person, related_person=related, kind=kind)


@demo_step(CONSENT_AND_NETWORK)
def demo_consent_and_network(context: DemoContext) -> None:
    lead = context.users.get("lead.professional")
    if lead is None:
        return
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(lead_professional=lead, status=CaseStatus.ACTIVE)
        .select_related("family", "team")
        .order_by("opened_at", "id")
    )
    for number, case in enumerate(cases):
        adults, children = _household(case)
        parents = [m.person for m in adults if m.parental_responsibility]
        for parent in parents:
            _consent(case, lead, parent)
        # The household's relationships: children of the first parent, and siblings.
        if parents:
            for child in children:
                _relate(case, lead, child, parents[0], Relationship.Kind.PARENT)
        for older, younger in zip(children, children[1:], strict=False):
            _relate(case, lead, younger, older, Relationship.Kind.SIBLING)
        if number == 0:
            _young_person(case, lead, children, today)
        if number == 1 and parents and children:
            _wider_family(case, lead, parents[0], children)
    _withdrawn_for_health(context, cases)


def _young_person(case: Case, lead, children: list[Person], today: datetime.date) -> None:
    young = next((c for c in reversed(children) if _age(c.date_of_birth, today) >= case_services.CONSENT_MIN_AGE), None)
    if young is None:
        return
    _consent(
        case,
        lead,
        young,
        method=Consent.Method.IN_PERSON,
        witness=WITNESS,
        capacity_judgement=(
            f"{young.first_name} understood what the assessment is, who will read it and that they can say no; "
            "they explained it back in their own words and asked who the school would be told."
        ),
    )


def _wider_family(case: Case, lead, parent: Person, children: list[Person]) -> None:
    surname = parent.last_name
    grandmother = network.network_person_add(
        actor=lead,
        case=case,
        first_name="Maureen",
        last_name=surname,
        gender=Gender.FEMALE,
        date_of_birth=timezone.localdate() - datetime.timedelta(days=64 * 365),
        related_to=parent,
        relationship=Relationship.Kind.PARENT,
        contact=network.ContactDetails(
            phone="01632 960 417",
            address="Flat 3, 18 Orchard Mews, Exton EX2 4QT",
            address_confidential=True,
        ),
    )
    former = network.network_person_add(
        actor=lead,
        case=case,
        first_name="Dean",
        last_name="Mercer",
        gender=Gender.MALE,
        date_of_birth=timezone.localdate() - datetime.timedelta(days=38 * 365),
        related_to=parent,
        relationship=Relationship.Kind.FORMER_PARTNER,
        parental_responsibility=True,
        contact=network.ContactDetails(do_not_contact=True),
    )
    for child in children:
        _relate(case, lead, child, grandmother, Relationship.Kind.GRANDPARENT)
    _relate(case, lead, children[0], former, Relationship.Kind.PARENT)


def _withdrawn_for_health(context: DemoContext, cases: list[Case]) -> None:
    visitor = context.users.get("health.visitor")
    if visitor is None or visitor.agency is None:
        return
    case = next((c for c in cases if c.members.filter(user=visitor, ended_at__isnull=True).exists()), None)
    if case is None:
        return
    adults, _children = _household(case)
    parent = next((m.person for m in adults if m.parental_responsibility), None)
    if parent is None:
        return
    manager = context.users.get("team.manager")
    _consent(case, case.lead_professional, parent, scope=Consent.Scope.SHARING, agency=visitor.agency)
    _consent(
        case,
        manager if manager is not None and manager.team_id == case.team_id else case.lead_professional,
        parent,
        scope=Consent.Scope.SHARING,
        agency=visitor.agency,
        status=Consent.Status.WITHDRAWN,
        evidence="",
        method="",
        witness="",
    )

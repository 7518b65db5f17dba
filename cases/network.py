"""The family network: the household and the people beyond it (relatives, friends), how each is
related to the others, who has parental responsibility, contact details and safety flags.

People beyond the household are members of the family with `FamilyMembership.in_household` False.
Two safety flags on a person:
- **do not contact**: shown prominently wherever the person appears (pages, the genogram, the API);
- **address confidential**: their address is shown only to those `address_visible` names, everyone
  else sees "Address confidential" (pages, PDFs and the API all ask `shown_address`).

Who may change the network: the case's lead professional and the team manager of its team (those
who hold `manage_case` on it), while they see the family's details and the case is open. Who may
see it: everyone who sees the family's details (`view_case` and `details_visible`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from .models import Case, CaseStatus, FamilyMembership, Gender, Person, Relationship, User
from .permissions import MANAGE_CASE, user_has_case_perm
from .roles import Role
from .services import chronology_record

ADDRESS_CONFIDENTIAL = "Address confidential"
Kind = Relationship.Kind


# --- The rules ------------------------------------------------------------------------------------


def address_visible(user: User, case: Case) -> bool:
    """May `user` read the confidential addresses of `case`'s family network? The one rule, for pages,
    PDFs and the API: the case's lead professional, the team manager of the case's team (a team
    manager holding `manage_case` on it), and duty managers (the front door, who decide on the
    family's safety); never anyone to whom the family's details are not visible. Reads `case.perms`
    and `case.details_visible` (from `case_get_for_user`): no query."""
    if not user.is_authenticated or not getattr(case, "details_visible", False):
        return False
    if case.lead_professional_id is not None and case.lead_professional_id == user.pk:
        return True
    if user.has_role(Role.TEAM_MANAGER) and MANAGE_CASE in getattr(case, "perms", frozenset()):
        return True
    return user.has_role(Role.DUTY_MANAGER)


def shown_address(person: Person, *, visible: bool) -> str:
    """The person's address as a viewer may see it (`visible` from `address_visible`)."""
    if person.address_confidential and not visible:
        return ADDRESS_CONFIDENTIAL if person.address else ""
    return person.address


def network_can_edit(user: User, case: Case) -> bool:
    """May `user` change `case`'s family network: its lead professional or their team manager (those
    holding `manage_case`), with the family's details visible, while the case is open. No query."""
    return (
        MANAGE_CASE in getattr(case, "perms", frozenset())
        and getattr(case, "details_visible", False)
        and case.status != CaseStatus.CLOSED
        and (case.lead_professional_id == user.pk or user.has_role(Role.TEAM_MANAGER))
    )


def _check_can_edit(actor: User, case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("The case is closed: its family network cannot be changed")
    lead = case.lead_professional_id == actor.pk
    if not (lead or actor.has_role(Role.TEAM_MANAGER)) or not user_has_case_perm(actor, case, MANAGE_CASE):
        raise PermissionDenied("Only the lead professional or their team manager can change the family network.")


# --- Reading --------------------------------------------------------------------------------------


@dataclass
class NetworkPerson:
    """One member of the family as the network pages show them to one viewer."""

    person: Person
    membership: FamilyMembership
    address: str
    related: list[str] = field(default_factory=list)

    @property
    def in_household(self) -> bool:
        return self.membership.in_household


def relationship_words(link: Relationship) -> str:
    """ "Grandparent of Amara Taylor": what the related person is to the person."""
    return f"{link.get_kind_display()} of {link.person.full_name}"


def family_network(case: Case, *, user: User) -> list[NetworkPerson]:
    """Everyone in the case's family, household first, with what they are to the others and their
    address as `user` may see it. Two queries. Only for viewers who see the family's details."""
    if not getattr(case, "details_visible", False):
        return []
    visible = address_visible(user, case)
    memberships = list(
        FamilyMembership.objects.filter(family_id=case.family_id)
        .select_related("person")
        .order_by("-in_household", "person__kind", "person__date_of_birth", "person__last_name", "person_id")
    )
    ids = [m.person_id for m in memberships]
    related: dict[int, list[str]] = {}
    for link in (
        Relationship.objects.filter(person_id__in=ids, related_person_id__in=ids)
        .select_related("person")
        .order_by("kind", "person__last_name", "person__first_name", "id")
    ):
        related.setdefault(link.related_person_id, []).append(relationship_words(link))
    return [
        NetworkPerson(
            person=m.person,
            membership=m,
            address=shown_address(m.person, visible=visible),
            related=related.get(m.person_id, []),
        )
        for m in memberships
    ]


def family_relationships(case: Case) -> list[Relationship]:
    """The relationships recorded between the family's members. One query."""
    ids = FamilyMembership.objects.filter(family_id=case.family_id).values("person_id")
    return list(
        Relationship.objects.filter(person_id__in=ids, related_person_id__in=ids)
        .select_related("person", "related_person")
        .order_by("person__last_name", "person__first_name", "kind", "id")
    )


def family_member(case: Case, person_id: int) -> FamilyMembership | None:
    return (
        FamilyMembership.objects.filter(family_id=case.family_id, person_id=person_id).select_related("person").first()
    )


# --- Writing --------------------------------------------------------------------------------------


@dataclass
class ContactDetails:
    phone: str = ""
    email: str = ""
    address: str = ""
    do_not_contact: bool = False
    address_confidential: bool = False


def _check_contact(contact: ContactDetails, errors: dict[str, str]) -> None:
    if len(contact.phone) > 30:
        errors["phone"] = "Phone number must be 30 characters or fewer"
    elif contact.phone and not all(c.isdigit() or c in " +()-" for c in contact.phone):
        errors["phone"] = "Enter a phone number, like 01632 960 001 or +44 7700 900 982"
    if contact.email:
        try:
            validate_email(contact.email)
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.com"
        if len(contact.email) > 254:
            errors["email"] = "Email address must be 254 characters or fewer"
    if contact.address_confidential and not contact.address.strip():
        errors["address"] = "Enter the address that is to be kept confidential"


def _check_relationship(
    case: Case, person: Person, related: Person, kind: str, errors: dict[str, str], field_name: str = "related_to"
) -> None:
    if kind not in Kind.values:
        errors["relationship"] = "Select how they are related"
    if person.pk == related.pk:
        errors[field_name] = "Select someone else in the family"
    elif not FamilyMembership.objects.filter(family_id=case.family_id, person=related).exists():
        errors[field_name] = "Select a member of this family"


@transaction.atomic
def network_person_add(
    *,
    actor: User,
    case: Case,
    first_name: str,
    last_name: str,
    kind: str = Person.Kind.ADULT,
    gender: str = Gender.UNKNOWN,
    date_of_birth: datetime.date | None = None,
    related_to: Person,
    relationship: str,
    parental_responsibility: bool = False,
    contact: ContactDetails | None = None,
) -> Person:
    """Add someone beyond the household to the family: `relationship` is what they are to
    `related_to`, a member of the family ("grandparent" of the child)."""
    _check_can_edit(actor, case)
    contact = contact or ContactDetails()
    errors: dict[str, str] = {}
    if not first_name.strip():
        errors["first_name"] = "Enter their first name"
    if not last_name.strip():
        errors["last_name"] = "Enter their last name"
    if len(first_name) > 100:
        errors["first_name"] = "First name must be 100 characters or fewer"
    if len(last_name) > 100:
        errors["last_name"] = "Last name must be 100 characters or fewer"
    if kind not in (Person.Kind.ADULT, Person.Kind.CHILD):
        errors["kind"] = "Select whether they are an adult or a child"
    if gender not in Gender.values:
        errors["gender"] = "Select their gender"
    if date_of_birth and date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    if kind == Person.Kind.CHILD and parental_responsibility:
        errors["parental_responsibility"] = "A child cannot have parental responsibility"
    _check_contact(contact, errors)
    if relationship not in Kind.values:
        errors["relationship"] = "Select how they are related"
    if related_to is None:
        errors["related_to"] = "Select who in the family they are related to"
    elif not FamilyMembership.objects.filter(family_id=case.family_id, person=related_to).exists():
        errors["related_to"] = "Select a member of this family"
    if errors:
        raise ValidationError(errors)
    person = Person.objects.create(
        kind=kind,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        gender=gender,
        date_of_birth=date_of_birth,
        phone=contact.phone.strip(),
        email=contact.email.strip(),
        address=contact.address.strip(),
        do_not_contact=contact.do_not_contact,
        address_confidential=contact.address_confidential,
    )
    FamilyMembership.objects.create(
        family_id=case.family_id, person=person, in_household=False, parental_responsibility=parental_responsibility
    )
    Relationship.objects.create(person=related_to, related_person=person, kind=relationship)
    chronology_record(
        family=case.family,
        case=case,
        event="network_person_added",
        actor=actor,
        summary=f"Family network: {person.full_name} added ({Kind(relationship).label.lower()} of "
        f"{related_to.full_name})",
    )
    return person


@transaction.atomic
def network_person_update(
    *,
    actor: User,
    case: Case,
    person: Person,
    parental_responsibility: bool,
    contact: ContactDetails,
    in_household: bool | None = None,
) -> Person:
    """Change a family member's parental responsibility, contact details and safety flags (and, for
    someone beyond the household, whether they have come to live in it)."""
    _check_can_edit(actor, case)
    membership = FamilyMembership.objects.select_for_update().filter(family_id=case.family_id, person=person).first()
    errors: dict[str, str] = {}
    if membership is None:
        raise ValidationError({"person": "Select a member of this family"})
    if person.kind != Person.Kind.ADULT and parental_responsibility:
        errors["parental_responsibility"] = "A child cannot have parental responsibility"
    _check_contact(contact, errors)
    if errors:
        raise ValidationError(errors)
    changes = []
    if membership.parental_responsibility != parental_responsibility:
        changes.append("parental responsibility " + ("recorded" if parental_responsibility else "removed"))
    if person.do_not_contact != contact.do_not_contact:
        changes.append("do not contact " + ("set" if contact.do_not_contact else "lifted"))
    if person.address_confidential != contact.address_confidential:
        changes.append("address " + ("made confidential" if contact.address_confidential else "no longer confidential"))
    membership.parental_responsibility = parental_responsibility
    if in_household is not None:
        membership.in_household = in_household
    membership.save(update_fields=["parental_responsibility", "in_household"])
    Person.objects.filter(pk=person.pk).update(
        phone=contact.phone.strip(),
        email=contact.email.strip(),
        address=contact.address.strip(),
        do_not_contact=contact.do_not_contact,
        address_confidential=contact.address_confidential,
    )
    person.refresh_from_db()
    chronology_record(
        family=case.family,
        case=case,
        event="network_person_changed",
        actor=actor,
        summary=f"Family network: {person.full_name}'s details changed"
        + (f" ({', '.join(changes)})" if changes else ""),
    )
    return person


@transaction.atomic
def relationship_add(*, actor: User, case: Case, person: Person, related_person: Person, kind: str) -> Relationship:
    """Record that `related_person` is `kind` to `person` ("Grace is the parent of Amara"), both
    members of the family. Partners, former partners and siblings are recorded once, either way."""
    _check_can_edit(actor, case)
    errors: dict[str, str] = {}
    if not FamilyMembership.objects.filter(family_id=case.family_id, person=person).exists():
        errors["person"] = "Select a member of this family"
    _check_relationship(case, person, related_person, kind, errors, field_name="related_person")
    if not errors:
        pairs = Relationship.objects.filter(person=person, related_person=related_person, kind=kind)
        if kind in (Kind.PARTNER, Kind.FORMER_PARTNER, Kind.SIBLING, Kind.HALF_SIBLING):
            pairs = pairs | Relationship.objects.filter(person=related_person, related_person=person, kind=kind)
        if pairs.exists():
            errors["related_person"] = "This relationship is already recorded"
    if errors:
        raise ValidationError(errors)
    link = Relationship.objects.create(person=person, related_person=related_person, kind=kind)
    chronology_record(
        family=case.family,
        case=case,
        event="relationship_added",
        actor=actor,
        summary=f"Family network: {related_person.full_name} recorded as {Kind(kind).label.lower()} of "
        f"{person.full_name}",
    )
    return link


@transaction.atomic
def relationship_remove(*, actor: User, case: Case, relationship: Relationship) -> None:
    """Remove a relationship recorded in error (between members of the case's family)."""
    _check_can_edit(actor, case)
    ids = set(FamilyMembership.objects.filter(family_id=case.family_id).values_list("person_id", flat=True))
    if relationship.person_id not in ids or relationship.related_person_id not in ids:
        raise ValidationError({"relationship": "Select a relationship of this family"})
    words = f"{relationship.related_person.full_name} as {relationship.get_kind_display().lower()} of "
    words += relationship.person.full_name
    relationship.delete()
    chronology_record(
        family=case.family,
        case=case,
        event="relationship_removed",
        actor=actor,
        summary=f"Family network: relationship removed ({words})",
    )

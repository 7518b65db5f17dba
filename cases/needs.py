"""Identified needs and the outcomes framework they are tagged with: the writes (`need_record`,
`need_update_status`, `outcome_framework_activate`, `outcome_framework_copy`) and the reads
(`outcome_areas_active`, `need_descriptors_active`, `case_needs_by_area`). Kept out of services.py,
which holds the case's lifecycle.

The assessment (assessments app) records the needs it identifies through `need_record`, with the
area's descriptor of need the practitioner chose, and links them from its own side; the outcomes
app reads them with their areas and descriptors."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import (
    Case,
    CaseStatus,
    DescriptorKind,
    IdentifiedNeed,
    NeedStatus,
    OutcomeArea,
    OutcomeDescriptor,
    OutcomeFramework,
    Person,
    User,
)
from .permissions import MANAGE_CASE, user_has_case_perm
from .services import chronology_record

# Every allowed change of a need's status. A need met or no longer a need can open again (it came
# back), with a note saying why.
NEED_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (NeedStatus.OPEN, NeedStatus.MET),
        (NeedStatus.OPEN, NeedStatus.NO_LONGER_A_NEED),
        (NeedStatus.MET, NeedStatus.OPEN),
        (NeedStatus.NO_LONGER_A_NEED, NeedStatus.OPEN),
    }
)
NOT_YOURS = "Only the lead professional or their manager can record the family's needs."
DESCRIPTOR_NOT_OF_AREA = "Choose a descriptor of need from the outcome area the need is about, or none"


def _who(person: Person | None) -> str:
    return person.full_name if person else "the whole family"


def _require_open_case(*, actor: User, case_id: int) -> Case:
    """The case, locked, if `actor` leads it (or manages its lead) and it is not closed."""
    case = Case.objects.select_for_update().select_related("family").get(pk=case_id)
    if not user_has_case_perm(actor, case, MANAGE_CASE):
        raise PermissionDenied(NOT_YOURS)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("The case is closed: its needs can no longer change.", code="closed")
    return case


@transaction.atomic
def need_record(
    *,
    actor: User,
    case: Case,
    area: OutcomeArea | None,
    description: str,
    person: Person | None = None,
    descriptor: OutcomeDescriptor | None = None,
) -> IdentifiedNeed:
    """Record a need identified for the family of `case`, about `person` (a member of the case's
    family) or, without one, the whole family, tagged to an outcome area of the active framework
    and, optionally, to one of that area's descriptors of need.

    Before: the actor holds `manage_case` on the case (its lead professional or their team manager);
    the case is not closed; `descriptor`, if given, is a descriptor of need of `area`.
    Besides: the need is open, and written in the case's chronology."""
    locked = _require_open_case(actor=actor, case_id=case.pk)
    errors = {}
    if area is None or not OutcomeArea.objects.filter(pk=area.pk, framework__active=True).exists():
        errors["area"] = "Choose the outcome area the need is about"
    if descriptor is not None and (
        area is None
        or not OutcomeDescriptor.objects.filter(pk=descriptor.pk, area_id=area.pk, kind=DescriptorKind.NEED).exists()
    ):
        errors["descriptor"] = DESCRIPTOR_NOT_OF_AREA
    if person is not None and not locked.family.memberships.filter(person=person).exists():
        errors["person"] = "Choose a member of this family, or the whole family"
    if not (description or "").strip():
        errors["description"] = "Enter what the need is"
    if errors:
        raise ValidationError(errors)
    need = IdentifiedNeed.objects.create(
        case=locked,
        person=person,
        area=area,
        descriptor=descriptor,
        description=description.strip(),
        recorded_by=actor,
    )
    chronology_record(
        family=locked.family,
        case=locked,
        event="need_identified",
        actor=actor,
        summary=f"Need identified ({area.name}) for {_who(person)}",
        body=f"{descriptor.text}\n\n{need.description}" if descriptor else need.description,
    )
    return need


@transaction.atomic
def need_update_status(*, actor: User, need: IdentifiedNeed, status: str, note: str = "") -> IdentifiedNeed:
    """Mark a need met or no longer a need, or open it again; who changed it and when are kept on the
    need (the latest) and in its history (every change).

    Before: as `need_record` (the actor leads the open case); the move is one of `NEED_TRANSITIONS`;
    opening a need again, or saying it is no longer a need, needs a note of why.
    Besides: written in the case's chronology."""
    # The case first, then the need: the order every write of a case's needs locks them in.
    case = _require_open_case(actor=actor, case_id=need.case_id)
    locked = IdentifiedNeed.objects.select_for_update(of=("self",)).select_related("area", "person").get(pk=need.pk)
    if status not in NeedStatus.values:
        raise ValidationError({"status": "Choose whether the need is met, no longer a need, or open"})
    if status == locked.status:
        raise ValidationError({"status": f"The need is already {NeedStatus(status).label.lower()}"})
    if (locked.status, status) not in NEED_TRANSITIONS:
        raise ValidationError({"status": "Choose whether the need is met, no longer a need, or open"})
    if status != NeedStatus.MET and not (note or "").strip():
        raise ValidationError(
            {
                "note": "Enter why the need has opened again"
                if status == NeedStatus.OPEN
                else "Enter why it is no longer a need"
            }
        )
    locked.status = status
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = actor
    locked.status_note = (note or "").strip()
    locked.save(update_fields=["status", "status_changed_at", "status_changed_by", "status_note"])
    summary = {
        NeedStatus.MET: "Need met",
        NeedStatus.NO_LONGER_A_NEED: "No longer a need",
        NeedStatus.OPEN: "Need open again",
    }[status]
    chronology_record(
        family=case.family,
        case=case,
        event="need_status_changed",
        actor=actor,
        summary=f"{summary} ({locked.area.name}) for {_who(locked.person)}",
        body=locked.status_note,
    )
    return locked


@transaction.atomic
def outcome_framework_activate(*, framework: OutcomeFramework) -> OutcomeFramework:
    """Make `framework` the version new needs are tagged with; the one active before stays, with the
    needs tagged under it, no longer offered. An administrator's act (the admin)."""
    # Every version locked, so two activations at once end with one active.
    list(OutcomeFramework.objects.select_for_update().order_by("pk"))
    OutcomeFramework.objects.filter(active=True).exclude(pk=framework.pk).update(active=False)
    OutcomeFramework.objects.filter(pk=framework.pk).update(active=True)
    framework.refresh_from_db()
    return framework


def _copy_version(framework: OutcomeFramework) -> str:
    taken = set(OutcomeFramework.objects.filter(name=framework.name).values_list("version", flat=True))
    version = f"{framework.version} copy"
    number = 2
    while version in taken:
        version = f"{framework.version} copy {number}"
        number += 1
    return version


@transaction.atomic
def outcome_framework_copy(*, framework: OutcomeFramework) -> OutcomeFramework:
    """A new version of `framework` to make a council's own: the same name, the version "<version>
    copy" (or "copy 2", ... when taken), inactive, with copies of its areas and their descriptors.
    An administrator's act (the admin); the council edits the copy, then makes it active.

    Besides: nothing else changes; needs stay tagged with the version they were recorded under."""
    # Locked, so two copies at once do not take the same version name (the constraint would refuse one).
    source = OutcomeFramework.objects.select_for_update().get(pk=framework.pk)
    copy = OutcomeFramework.objects.create(name=source.name, version=_copy_version(source), active=False)
    areas = list(source.areas.prefetch_related("descriptors").order_by("position", "pk"))
    new_areas = OutcomeArea.objects.bulk_create(
        OutcomeArea(framework=copy, code=area.code, name=area.name, position=area.position) for area in areas
    )
    OutcomeDescriptor.objects.bulk_create(
        OutcomeDescriptor(area=new_area, kind=d.kind, code=d.code, text=d.text, position=d.position)
        for area, new_area in zip(areas, new_areas, strict=True)
        for d in area.descriptors.all()
    )
    return copy


# --- Reads ---------------------------------------------------------------------------------------


def outcome_areas_active() -> list[OutcomeArea]:
    """The areas a new need may be tagged with: the active framework's, in order. One query."""
    return list(OutcomeArea.objects.filter(framework__active=True).select_related("framework"))


def need_descriptors_active() -> list[OutcomeDescriptor]:
    """The descriptors of need a new need may point at: the active framework's, by area in the
    framework's order. One query."""
    return list(
        OutcomeDescriptor.objects.filter(area__framework__active=True, kind=DescriptorKind.NEED)
        .select_related("area")
        .order_by("area__position", "area__name", "area_id", "position", "pk")
    )


@dataclass
class AreaNeeds:
    area: OutcomeArea
    needs: list[IdentifiedNeed] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return sum(1 for need in self.needs if need.status == NeedStatus.OPEN)


def case_needs_by_area(*, case: Case) -> list[AreaNeeds]:
    """The needs of `case` grouped by outcome area, areas in the framework's order (those with no
    need left out), needs in the order they were recorded, with who they are about and who recorded
    and last changed them. One query, however many needs.

    The caller has the case through the access functions (`case_get_for_user`)."""
    needs = (
        IdentifiedNeed.objects.filter(case=case)
        .select_related("area__framework", "descriptor", "person", "recorded_by", "status_changed_by")
        .order_by("area__framework_id", "area__position", "area__name", "area_id", "recorded_at", "id")
    )
    groups: dict[int, AreaNeeds] = {}
    for need in needs:
        groups.setdefault(need.area_id, AreaNeeds(area=need.area)).needs.append(need)
    return list(groups.values())

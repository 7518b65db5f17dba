"""Writes of the lead professional's work. Built so far: recording an outcome tool reading."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseStatus, FamilyMembership, Person, User
from cases.permissions import user_has_case_perm
from cases.services import chronology_record

from .models import OutcomeTool, Reading, Score
from .permissions import RECORD_READING

READING_EVENT = "outcome-reading-recorded"
NOT_ACTIVE = "You can record a reading only while the case is active"
NOT_ALLOWED = "Only the family's lead professional or their team manager can record a reading"


def area_field(area_id: int) -> str:
    """The name under which a reading's score for an area is checked (and its error reported)."""
    return f"area_{area_id}"


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def _person_errors(*, case: Case, tool: OutcomeTool, person: Person | None) -> str | None:
    subject = tool.get_subject_display().lower()
    if not tool.about_a_person:
        return f"{tool.name} is about the whole family: do not choose a person" if person is not None else None
    if person is None:
        return f"Choose the child or young person the {tool.name} reading is about"
    in_family = FamilyMembership.objects.filter(
        family_id=case.family_id, person_id=person.pk, person__kind=Person.Kind.CHILD
    ).exists()
    return None if in_family else f"Choose {subject} of this family"


def _score_error(area, value, tool: OutcomeTool) -> str | None:
    if value is None or value == "":
        return f"Enter a score for {area.name}"
    if isinstance(value, bool) or not isinstance(value, int):
        return f"The score for {area.name} must be a whole number from {tool.scale_min} to {tool.scale_max}"
    if not tool.scale_min <= value <= tool.scale_max:
        return f"The score for {area.name} must be from {tool.scale_min} to {tool.scale_max}"
    return None


def scores_words(*, tool: OutcomeTool, areas, scores: dict[int, int]) -> str:
    """ "Physical health 4, Your well-being 6, ..." in the tool's order."""
    return ", ".join(f"{area.name} {scores[area.pk]}" for area in areas if area.pk in scores)


@transaction.atomic
def reading_record(
    *,
    actor: User,
    case: Case,
    tool: OutcomeTool,
    person: Person | None,
    taken_on: datetime.date | None,
    scores: dict[int, int],
    note: str = "",
) -> Reading:
    """Record a reading of `tool` with the family of `case`: one score per area of the tool, in its
    scale (`scores` maps each area's id to its score).

    Before: `actor` holds RECORD_READING on the case (its lead professional or team manager,
    PermissionDenied otherwise) and the case is active; the tool is offered (active) and has areas;
    for a tool about one person, `person` is a child or young person of the case's family (and no
    person for a tool about the whole family); `taken_on` is not in the future nor before the case
    opened. Anything else is a ValidationError naming the field: `tool`, `person`, `taken_on`, `scores`
    (scores for areas the tool does not have), and `area_<id>` for each area's score.

    Besides: writes an event on the family's chronology, dated the day the reading was taken. The
    case row is locked while it checks, so a closure signed off at the same moment comes before or
    after, never between.
    """
    if not user_has_case_perm(actor, case, RECORD_READING):
        raise PermissionDenied(NOT_ALLOWED)
    case = Case.objects.select_for_update().select_related("family").get(pk=case.pk)
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError(NOT_ACTIVE)
    errors: dict[str, str] = {}
    areas = list(tool.areas.all())
    if not tool.active:
        errors["tool"] = f"{tool.name} is no longer offered: choose another tool"
    elif not areas:
        errors["tool"] = f"{tool.name} has no areas to score yet: ask an administrator to add them"
    if person_error := _person_errors(case=case, tool=tool, person=person):
        errors["person"] = person_error
    if taken_on is None:
        errors["taken_on"] = "Enter the date the reading was taken"
    elif taken_on > timezone.localdate():
        errors["taken_on"] = "The date the reading was taken must be today or in the past"
    elif taken_on < (opened := timezone.localdate(case.opened_at)):
        errors["taken_on"] = (
            f"The date the reading was taken must be on or after {opened:%-d %B %Y}, when the case opened"
        )
    known = {area.pk for area in areas}
    if set(scores) - known:
        errors["scores"] = f"Score only the areas of {tool.name}"
    for area in areas:
        if score_error := _score_error(area, scores.get(area.pk), tool):
            errors[area_field(area.pk)] = score_error
    if errors:
        raise ValidationError(errors)

    reading = Reading.objects.create(
        case=case,
        tool=tool,
        person=person if tool.about_a_person else None,
        taken_on=taken_on,
        note=note.strip(),
        recorded_by=actor,
    )
    Score.objects.bulk_create(Score(reading=reading, area=area, value=scores[area.pk]) for area in areas)
    about = f" with {person.full_name}" if tool.about_a_person else ""
    chronology_record(
        family=case.family,
        case=case,
        event=READING_EVENT,
        summary=f"{tool.name} reading recorded",
        body=f"Taken{about} on {taken_on:%-d %B %Y}. Scores: {scores_words(tool=tool, areas=areas, scores=scores)}.",
        actor=actor,
        occurred_at=_noon(taken_on),
    )
    return reading

"""Recording an outcome tool reading: the seeded tools, who may record, every rule with its message,
the chronology, and what the database refuses whatever writes to it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from assessments import services
from assessments.models import OutcomeTool, Reading, Score, ToolArea
from cases.models import ChronologyEntry, FamilyMembership, Person
from tests.assessments.conftest import child_of, days_ago, record, tool
from tests.conftest import open_case
from tests.factories import PersonFactory, family_with_members

FAMILY_STAR = [3, 4, 2, 5, 6, 4, 3, 2, 5, 1]


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Seeds ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "subject", "scale", "higher_is_better", "areas"),
    [
        ("family-star-plus", "family", (1, 10), True, 10),
        ("my-star", "child", (1, 5), True, 8),
        ("teen-star", "young_person", (1, 5), True, 6),
        ("graded-care-profile-2", "family", (1, 5), False, 4),
    ],
)
def test_the_four_tools_are_seeded_with_their_scales_and_areas(db, code, subject, scale, higher_is_better, areas):
    seeded = OutcomeTool.objects.get(code=code)

    assert seeded.subject == subject
    assert (seeded.scale_min, seeded.scale_max) == scale
    assert seeded.higher_is_better is higher_is_better
    assert seeded.areas.count() == areas
    assert seeded.active


def test_the_family_star_and_gcp2_areas_are_those_of_the_domain_in_order(db):
    assert [a.name for a in tool("family-star-plus").areas.all()] == [
        *("Physical health", "Your well-being", "Meeting emotional needs", "Keeping your children safe"),
        *("Social networks", "Education and learning", "Boundaries and behaviour", "Family routine"),
        *("Home and money", "Progress to work"),
    ]
    assert [a.name for a in tool("graded-care-profile-2").areas.all()] == [
        "Physical care",
        "Care of safety",
        "Emotional care",
        "Developmental care",
    ]


# --- Recording ----------------------------------------------------------------------------------------


def test_the_lead_professional_records_a_family_star_reading(world, case):
    reading = record(case, "family-star-plus", FAMILY_STAR, taken_on=days_ago(3), note=" First star. ")

    assert reading.person is None
    assert reading.recorded_by == world.lead
    assert reading.note == "First star."
    assert [s.value for s in Score.objects.filter(reading=reading).order_by("area__sort_order")] == FAMILY_STAR
    entry = ChronologyEntry.objects.get(case=case, event=services.READING_EVENT)
    assert entry.summary == "Family Star Plus reading recorded"
    assert "Physical health 3, Your well-being 4" in entry.body
    assert entry.occurred_at.date() == days_ago(3)
    assert entry.author == world.lead


def test_the_team_manager_records_a_reading_about_a_child(world, case):
    child = child_of(case)

    reading = record(case, "my-star", [1, 2, 3, 4, 5, 4, 3, 2], actor=world.team_manager, person=child)

    assert reading.person == child
    assert child.full_name in ChronologyEntry.objects.get(case=case, event=services.READING_EVENT).body


@pytest.mark.parametrize("who", ["other_lead", "duty_manager", "panel_coordinator", "school_practitioner", "analyst"])
def test_others_cannot_record_a_reading(world, case, who):
    with pytest.raises(PermissionDenied):
        record(case, "family-star-plus", FAMILY_STAR, actor=getattr(world, who))

    assert not Reading.objects.exists()


def test_a_member_of_the_team_around_the_family_cannot_record_a_reading(world):
    case = open_case(world, members=[(world.school_practitioner, "Teacher")])

    with pytest.raises(PermissionDenied):
        record(case, "family-star-plus", FAMILY_STAR, actor=world.school_practitioner)


@pytest.mark.parametrize("status", ["awaiting_lead_professional", "closure_requested", "closed"])
def test_only_an_active_case_takes_a_reading(world, status):
    case = open_case(world, status=status)

    with pytest.raises((ValidationError, PermissionDenied)) as excinfo:
        record(case, "family-star-plus", FAMILY_STAR, actor=world.team_manager)

    assert excinfo.value.messages == [services.NOT_ACTIVE]
    assert not Reading.objects.exists()


def test_every_area_must_be_scored_within_the_scale(world, case):
    family_star = tool("family-star-plus")
    areas = list(family_star.areas.all())
    scores = {area.pk: 5 for area in areas}
    del scores[areas[0].pk]
    scores[areas[1].pk] = 11
    scores[areas[2].pk] = 0
    scores[areas[3].pk] = "7"

    with pytest.raises(ValidationError) as excinfo:
        services.reading_record(
            actor=world.lead, case=case, tool=family_star, person=None, taken_on=days_ago(1), scores=scores
        )

    assert errors_of(excinfo) == {
        f"area_{areas[0].pk}": ["Enter a score for Physical health"],
        f"area_{areas[1].pk}": ["The score for Your well-being must be from 1 to 10"],
        f"area_{areas[2].pk}": ["The score for Meeting emotional needs must be from 1 to 10"],
        f"area_{areas[3].pk}": ["The score for Keeping your children safe must be a whole number from 1 to 10"],
    }


def test_scores_for_another_tools_areas_are_refused(world, case):
    family_star = tool("family-star-plus")
    scores = {area.pk: 5 for area in family_star.areas.all()}
    scores[tool("graded-care-profile-2").areas.first().pk] = 2

    with pytest.raises(ValidationError) as excinfo:
        services.reading_record(
            actor=world.lead, case=case, tool=family_star, person=None, taken_on=days_ago(1), scores=scores
        )

    assert errors_of(excinfo) == {"scores": ["Score only the areas of Family Star Plus"]}


def test_the_date_is_not_in_the_future_nor_before_the_case_opened(world, case):
    with pytest.raises(ValidationError) as future:
        record(case, "family-star-plus", FAMILY_STAR, taken_on=days_ago(-1))
    with pytest.raises(ValidationError) as before:
        record(case, "family-star-plus", FAMILY_STAR, taken_on=days_ago(400))

    assert errors_of(future) == {"taken_on": ["The date the reading was taken must be today or in the past"]}
    assert errors_of(before)["taken_on"][0].startswith("The date the reading was taken must be on or after ")


def test_a_missing_date_is_named(world, case):
    family_star = tool("family-star-plus")

    with pytest.raises(ValidationError) as excinfo:
        services.reading_record(
            actor=world.lead,
            case=case,
            tool=family_star,
            person=None,
            taken_on=None,
            scores={area.pk: 5 for area in family_star.areas.all()},
        )

    assert errors_of(excinfo) == {"taken_on": ["Enter the date the reading was taken"]}


def test_a_child_tool_needs_a_child_of_the_family(world, case):
    other_family_child = PersonFactory(kind=Person.Kind.CHILD)
    FamilyMembership.objects.create(family=family_with_members(), person=other_family_child)
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    my_star = [1, 2, 3, 4, 5, 4, 3, 2]

    with pytest.raises(ValidationError) as nobody:
        services.reading_record(
            actor=world.lead,
            case=case,
            tool=tool("my-star"),
            person=None,
            taken_on=days_ago(1),
            scores={a.pk: v for a, v in zip(tool("my-star").areas.all(), my_star, strict=True)},
        )
    with pytest.raises(ValidationError) as stranger:
        record(case, "my-star", my_star, person=other_family_child)
    with pytest.raises(ValidationError) as adult:
        record(case, "teen-star", [1, 2, 3, 4, 5, 4], person=parent)

    assert errors_of(nobody) == {"person": ["Choose the child or young person the My Star reading is about"]}
    assert errors_of(stranger) == {"person": ["Choose a child of this family"]}
    assert errors_of(adult) == {"person": ["Choose a young person of this family"]}


def test_a_family_tool_names_no_person(world, case):
    with pytest.raises(ValidationError) as excinfo:
        record(case, "graded-care-profile-2", [1, 2, 3, 4], person=child_of(case))

    assert errors_of(excinfo) == {"person": ["Graded Care Profile 2 is about the whole family: do not choose a person"]}


def test_a_tool_no_longer_offered_takes_no_reading(world, case):
    OutcomeTool.objects.filter(code="family-star-plus").update(active=False)

    with pytest.raises(ValidationError) as excinfo:
        record(case, "family-star-plus", FAMILY_STAR)

    assert errors_of(excinfo) == {"tool": ["Family Star Plus is no longer offered: choose another tool"]}


def test_a_councils_own_tool_is_recorded_like_the_seeded_ones(world, case):
    own = OutcomeTool.objects.create(code="resilience", name="Resilience scale", scale_min=0, scale_max=4)
    ToolArea.objects.create(tool=own, code="coping", name="Coping", sort_order=1)
    ToolArea.objects.create(tool=own, code="support", name="Support", sort_order=2)

    reading = record(case, "resilience", [0, 4])

    assert sorted(reading.scores.values_list("value", flat=True)) == [0, 4]


# --- What the database refuses ------------------------------------------------------------------------


def test_the_database_refuses_a_score_outside_the_scale(world, case):
    reading = record(case, "graded-care-profile-2", [1, 2, 3, 4])
    score = reading.scores.first()

    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.filter(pk=score.pk).update(value=6)


def test_the_database_refuses_a_score_for_another_tools_area(world, case):
    reading = record(case, "graded-care-profile-2", [1, 2, 3, 4])
    star_area = tool("family-star-plus").areas.first()

    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(reading=reading, area=star_area, value=3)


def test_the_database_refuses_a_child_tool_reading_without_a_person(world, case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Reading.objects.create(case=case, tool=tool("my-star"), taken_on=days_ago(1), recorded_by=world.lead)


def test_a_tools_scale_cannot_change_once_it_has_readings(world, case):
    record(case, "graded-care-profile-2", [1, 2, 3, 4])
    OutcomeTool.objects.filter(code="my-star").update(scale_max=6)  # no readings yet: allowed

    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeTool.objects.filter(code="graded-care-profile-2").update(higher_is_better=True)

    assert tool("my-star").scale_max == 6
    assert OutcomeTool.objects.filter(code="graded-care-profile-2", name="Graded Care Profile 2").exists()


def test_the_scale_must_run_upwards(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeTool.objects.create(code="backwards", name="Backwards", scale_min=5, scale_max=1)

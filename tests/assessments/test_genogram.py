"""The genogram: drawn from the recorded people and relationships, with the same relationships in
words; deterministic, escaped, plain SVG (no script), and only for viewers who see the family."""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.genogram import genogram_for_case, person_words
from cases.models import FamilyMembership, Gender, Person, Relationship
from cases.permissions import case_get_for_user
from tests.conftest import open_case
from tests.factories import PersonFactory


def _years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=1)


def _add(family, *, kind, first, last="Taylor", gender=Gender.UNKNOWN, age=None, household=True, pr=False, **extra):
    person = PersonFactory(
        kind=kind,
        first_name=first,
        last_name=last,
        gender=gender,
        date_of_birth=_years_ago(age) if age is not None else None,
        **extra,
    )
    FamilyMembership.objects.create(family=family, person=person, in_household=household, parental_responsibility=pr)
    return person


def _rel(person, related, kind):
    return Relationship.objects.create(person=person, related_person=related, kind=kind)


@pytest.fixture
def taylors(world):
    """A mother and her partner at home with her daughter and an unborn baby; the daughter's father
    (separated, not to be contacted) and her grandmother live elsewhere."""
    case = open_case(world)
    FamilyMembership.objects.filter(family=case.family).delete()
    family = case.family
    p = Person.Kind
    people = {
        "grace": _add(family, kind=p.ADULT, first="Grace", gender=Gender.FEMALE, age=34, pr=True),
        "sam": _add(family, kind=p.ADULT, first="Sam", last="Reid", gender=Gender.MALE, age=36),
        "amara": _add(family, kind=p.CHILD, first="Amara", gender=Gender.FEMALE, age=10),
        "baby": _add(family, kind=p.UNBORN, first="Baby", expected_date_of_birth=timezone.localdate()),
        "dean": _add(
            family,
            kind=p.ADULT,
            first="Dean",
            last="Moss",
            gender=Gender.MALE,
            age=37,
            household=False,
            pr=True,
            do_not_contact=True,
        ),
        "ruth": _add(family, kind=p.ADULT, first="Ruth", gender=Gender.FEMALE, age=63, household=False),
    }
    k = Relationship.Kind
    _rel(people["amara"], people["grace"], k.PARENT)
    _rel(people["amara"], people["dean"], k.PARENT)
    _rel(people["baby"], people["grace"], k.PARENT)
    _rel(people["baby"], people["sam"], k.PARENT)
    _rel(people["grace"], people["sam"], k.PARTNER)
    _rel(people["sam"], people["grace"], k.PARTNER)
    _rel(people["grace"], people["dean"], k.FORMER_PARTNER)
    _rel(people["grace"], people["ruth"], k.PARENT)
    _rel(people["amara"], people["ruth"], k.GRANDPARENT)
    _rel(people["amara"], people["baby"], k.HALF_SIBLING)
    case = case_get_for_user(user=world.lead, case_id=case.pk, log=False)
    return case, people


def _symbols(svg: str) -> dict[str, str]:
    """Each person's id and the symbol drawn for them."""
    return dict(
        re.findall(
            r'<g data-person="(\d+)" data-generation="\d+"><(?:rect|circle|polygon)[^>]*data-symbol="(\w+)"', svg
        )
    )


def test_symbols_by_gender_and_kind(world, taylors):
    case, people = taylors
    svg = str(genogram_for_case(case, user=world.lead).svg)
    symbols = _symbols(svg)
    assert symbols[str(people["grace"].pk)] == "female"
    assert symbols[str(people["sam"].pk)] == "male"
    assert symbols[str(people["baby"].pk)] == "unborn"
    assert len(symbols) == 6


def test_svg_is_accessible_plain_and_labelled(world, taylors):
    case, people = taylors
    svg = str(genogram_for_case(case, user=world.lead).svg)
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert f'aria-labelledby="genogram-{case.pk}-title genogram-{case.pk}-desc"' in svg
    assert f'<title id="genogram-{case.pk}-title">' in svg and f'<desc id="genogram-{case.pk}-desc">' in svg
    assert "<script" not in svg and "@import" not in svg and "href" not in svg
    # Names and ages under the symbols; the do-not-contact flag in red.
    assert ">Amara<" in svg and ">Age 10<" in svg
    assert ">Do not contact<" in svg
    # The household outlined with a dashed line.
    assert re.search(r'<polygon [^>]*stroke-dasharray="8 5" data-household="1"', svg)


def test_generations_from_parent_links(world, taylors):
    case, people = taylors
    svg = str(genogram_for_case(case, user=world.lead).svg)

    def y_of(person):
        return int(re.search(rf'<g data-person="{person.pk}" data-generation="(\d+)">', svg).group(1))

    assert y_of(people["ruth"]) < y_of(people["grace"]) < y_of(people["amara"])
    assert y_of(people["grace"]) == y_of(people["sam"]) == y_of(people["dean"])
    assert y_of(people["amara"]) == y_of(people["baby"])


def test_former_partners_line_has_two_slashes(world, taylors):
    case, _people = taylors
    svg = str(genogram_for_case(case, user=world.lead).svg)
    without = Relationship.objects.filter(kind=Relationship.Kind.FORMER_PARTNER).delete()
    assert without[0] == 1
    fewer = str(genogram_for_case(case, user=world.lead).svg)
    # The former partnership's line and its two slashes go with it.
    assert svg.count("<line") - fewer.count("<line") >= 2


def test_text_alternative_lists_the_relationships(world, taylors):
    case, people = taylors
    lines = genogram_for_case(case, user=world.lead).lines
    assert "Grace Taylor (adult, 34) is the mother of Amara Taylor (child, 10)." in lines
    assert "Dean Moss (adult, 37) is the father of Amara Taylor (child, 10)." in lines
    assert "Ruth Taylor (adult, 63) is the grandmother of Amara Taylor (child, 10)." in lines
    # Partners are said once, whichever way they were recorded.
    partners = [line for line in lines if "are partners" in line]
    assert len(partners) == 1
    assert any("are former partners (separated)" in line for line in lines)
    assert (
        "Outside the household: Ruth Taylor, Dean Moss." in lines
        or "Outside the household: Dean Moss, Ruth Taylor." in lines
    )
    assert "Do not contact Dean Moss." in lines
    assert any(line.startswith("With parental responsibility:") and "Grace Taylor" in line for line in lines)


def test_people_with_no_relationship_are_said_so_and_placed_by_kind(world):
    case = case_get_for_user(user=world.lead, case_id=open_case(world).pk, log=False)
    genogram = genogram_for_case(case, user=world.lead)
    assert len(_symbols(str(genogram.svg))) == 2
    assert sum(line.startswith("No relationship is recorded for") for line in genogram.lines) == 2


def test_deterministic(world, taylors):
    case, _people = taylors
    assert str(genogram_for_case(case, user=world.lead).svg) == str(genogram_for_case(case, user=world.lead).svg)


def test_names_are_escaped(world, taylors):
    case, people = taylors
    Person.objects.filter(pk=people["sam"].pk).update(first_name="<script>x</script>")
    genogram = genogram_for_case(case, user=world.lead)
    assert "<script>" not in str(genogram.svg)
    html = render_to_string("assessments/parts/genogram.html", {"genogram": genogram})
    assert "<script>x" not in html and "&lt;script&gt;" in html


def test_nothing_for_viewers_without_details(world, taylors):
    case, _people = taylors
    case.details_visible = False
    assert genogram_for_case(case, user=world.lead).svg == ""


def test_two_queries(world, taylors, django_assert_num_queries):
    case, _people = taylors
    with django_assert_num_queries(2):
        genogram_for_case(case, user=world.lead)


def test_include_shows_drawing_and_words(world, taylors):
    case, _people = taylors
    html = render_to_string("assessments/parts/genogram.html", {"genogram": genogram_for_case(case, user=world.lead)})
    assert "<svg" in html and "The genogram in words" in html
    assert "is the mother of Amara Taylor" in html


def test_renders_in_weasyprint(world, taylors):
    weasyprint = pytest.importorskip("weasyprint")
    case, _people = taylors
    html = render_to_string("assessments/parts/genogram.html", {"genogram": genogram_for_case(case, user=world.lead)})
    pdf = weasyprint.HTML(string=f"<html><body>{html}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")


def test_person_words():
    person = Person(kind=Person.Kind.CHILD, date_of_birth=None)
    assert person_words(person) == "child, age not known"


def test_a_parent_sits_just_above_the_child_when_the_grandparent_is_linked_only_to_the_child(world):
    case = open_case(world)
    FamilyMembership.objects.filter(family=case.family).delete()
    p = Person.Kind
    mother = _add(case.family, kind=p.ADULT, first="Nia", gender=Gender.FEMALE, age=30, pr=True)
    child = _add(case.family, kind=p.CHILD, first="Ola", gender=Gender.FEMALE, age=6)
    nan = _add(case.family, kind=p.ADULT, first="Ivy", gender=Gender.FEMALE, age=60, household=False)
    _rel(child, mother, Relationship.Kind.PARENT)
    _rel(child, nan, Relationship.Kind.GRANDPARENT)
    case = case_get_for_user(user=world.lead, case_id=case.pk, log=False)
    svg = str(genogram_for_case(case, user=world.lead).svg)

    def generation(person):
        return int(re.search(rf'<g data-person="{person.pk}" data-generation="(\d+)">', svg).group(1))

    assert (generation(nan), generation(mother), generation(child)) == (0, 1, 2)
    # The drawing is tall enough for its lowest row.
    height = int(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))
    assert height > 2 * 150 + 40

"""The case page's "Outcome tools" section and the pages that record a reading: who sees and who
records (a role-by-case matrix), the GOV.UK form (errors summarised, what was typed kept), and the
queries each page makes, however many readings."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import OutcomeTool, Reading
from cases import services as case_services
from cases.models import AccessLog
from tests.assessments.conftest import child_of, days_ago, record, tool
from tests.conftest import open_case

STAR = [3, 4, 2, 5, 6, 4, 3, 2, 5, 1]
CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def case_url(case) -> str:
    return reverse("cases:case-detail", args=[case.pk])


def choose_url(case) -> str:
    return reverse("assessments:reading-tool-choose", args=[case.pk])


def record_url(case, code: str) -> str:
    return reverse("assessments:reading-record", args=[case.pk, code])


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len([q for q in captured.captured_queries if not q["sql"].startswith(CONTROL)])


@pytest.fixture
def taf_case(world, case):
    """The case with the school's practitioner in the team around the family (the family has not
    agreed to share with the school)."""
    case_services.case_member_add(actor=world.team_manager, case=case, user=world.school_practitioner, role="Teacher")
    record(case, "family-star-plus", STAR, taken_on=days_ago(30))
    return case


# --- Who sees, who records ---------------------------------------------------------------------------

# user: (case page, section shown, "Record a reading" shown, the record pages)
MATRIX = {
    "lead": (200, True, True, 200),
    "team_manager": (200, True, True, 200),
    "school_practitioner": (200, False, False, 404),  # in the team around the family, no consent to share
    "duty_manager": (200, True, False, 404),
    "health_practitioner": (404, False, False, 404),  # another agency, not in the team
    "other_lead": (404, False, False, 404),
    "analyst": (404, False, False, 404),
    "panel_coordinator": (200, True, False, 404),
}


@pytest.mark.parametrize("who", MATRIX)
def test_who_sees_the_readings_and_who_records_them(world, taf_case, client_for, who):
    case_page, section, button, record_pages = MATRIX[who]
    client = client_for(getattr(world, who))

    page = client.get(case_url(taf_case))
    choose = client.get(choose_url(taf_case))
    reading = client.get(record_url(taf_case, "family-star-plus"))

    assert page.status_code == case_page
    html = page.content.decode()
    assert ('id="outcome-tools"' in html) is section
    assert ("Family Star Plus: scores by area over time" in html) is section
    assert ("Record a reading" in html) is button
    assert (choose.status_code, reading.status_code) == (record_pages, record_pages)


def test_a_refused_look_at_the_record_page_is_in_the_access_log(world, taf_case, client_for):
    client_for(world.health_practitioner).get(choose_url(taf_case))

    assert AccessLog.objects.filter(
        user=world.health_practitioner, case=taf_case, action=AccessLog.Action.DENIED
    ).exists()


def test_a_case_that_is_not_active_takes_no_reading(world, client_for):
    closing = open_case(world, status="closure_requested")
    client = client_for(world.team_manager)

    response = client.get(choose_url(closing), follow=True)

    assert response.redirect_chain[0][0].endswith("#outcome-tools")
    assert "You can record a reading only while the case is active" in response.content.decode()
    assert "Record a reading" not in response.content.decode()


# --- Recording -------------------------------------------------------------------------------------


def test_the_lead_professional_chooses_a_tool_then_scores_each_area(world, case, client_for):
    client = client_for(world.lead)
    family_star = tool("family-star-plus")
    today = days_ago(0)

    choose = client.get(choose_url(case))
    chosen = client.post(choose_url(case), {"tool": "family-star-plus"})
    form = client.get(chosen.url)
    saved = client.post(
        chosen.url,
        {
            "taken_on_0": today.day,
            "taken_on_1": today.month,
            "taken_on_2": today.year,
            **{f"area_{area.pk}": value for area, value in zip(family_star.areas.all(), STAR, strict=True)},
            "note": "We agreed these together.",
        },
        follow=True,
    )

    assert "Graded Care Profile 2" in choose.content.decode()
    assert chosen.url == record_url(case, "family-star-plus")
    assert form.content.decode().count('type="radio"') == 100
    assert saved.redirect_chain[-1][0] == case_url(case) + "#outcome-tools"
    html = saved.content.decode()
    assert "Family Star Plus reading saved" in html
    assert "Family Star Plus: scores by area over time" in html
    assert "We agreed these together." in html
    reading = Reading.objects.get(case=case)
    assert sorted(reading.scores.values_list("value", flat=True)) == sorted(STAR)


def test_choosing_no_tool_is_an_error(world, case, client_for):
    response = client_for(world.lead).post(choose_url(case), {})

    html = response.content.decode()
    assert "<title>Error: " in html
    assert "Choose the tool you used" in html


def test_a_reading_with_areas_missing_shows_every_error_and_keeps_what_was_typed(world, case, client_for):
    client = client_for(world.lead)
    areas = list(tool("family-star-plus").areas.all())

    response = client.post(
        record_url(case, "family-star-plus"),
        {f"area_{areas[0].pk}": "7", f"area_{areas[1].pk}": "11", "note": "Half done", "taken_on_0": "40"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert "The score for Your well-being must be from 1 to 10" in html
    assert "Select a score for Progress to work" in html
    assert "The date the reading was taken must include a month and year" in html
    assert f'href="#id_area_{areas[9].pk}_1"' in html
    assert re.search(rf'name="area_{areas[0].pk}"[^>]*value="7"\s*checked', html)
    assert not re.search(rf'name="area_{areas[0].pk}"[^>]*value="6"\s*checked', html)
    assert "Half done" in html
    assert not Reading.objects.exists()


def test_the_services_rules_come_back_on_the_form(world, case, client_for):
    tomorrow = days_ago(-1)
    gcp2 = tool("graded-care-profile-2")

    response = client_for(world.lead).post(
        record_url(case, "graded-care-profile-2"),
        {
            "taken_on_0": tomorrow.day,
            "taken_on_1": tomorrow.month,
            "taken_on_2": tomorrow.year,
            **{f"area_{area.pk}": 2 for area in gcp2.areas.all()},
        },
    )

    assert "The date the reading was taken must be today or in the past" in response.content.decode()
    assert not Reading.objects.exists()


def test_a_child_tool_asks_which_child(world, case, client_for):
    client = client_for(world.team_manager)
    child = child_of(case)
    my_star = tool("my-star")
    today = days_ago(0)
    scores = {f"area_{area.pk}": 3 for area in my_star.areas.all()}
    date = {"taken_on_0": today.day, "taken_on_1": today.month, "taken_on_2": today.year}

    form = client.get(record_url(case, "my-star"))
    missing = client.post(record_url(case, "my-star"), {**date, **scores})
    saved = client.post(record_url(case, "my-star"), {**date, **scores, "person": child.pk})

    assert "Who is the My Star reading about?" in form.content.decode()
    assert child.full_name in form.content.decode()
    assert "Choose the child or young person the My Star reading is about" in missing.content.decode()
    assert saved.status_code == 302
    assert Reading.objects.get().person == child


def test_an_unknown_or_retired_tool_sends_back_to_choosing(world, case, client_for):
    client = client_for(world.lead)
    OutcomeTool.objects.filter(code="teen-star").update(active=False)

    unknown = client.get(record_url(case, "no-such-tool"), follow=True)
    retired = client.post(record_url(case, "teen-star"), {}, follow=True)

    for response in (unknown, retired):
        assert response.redirect_chain == [(choose_url(case), 302)]
        assert "That tool is not offered: choose one of these" in response.content.decode()
    assert "Teen Star" not in retired.content.decode().split("That tool is not offered")[1]
    assert not Reading.objects.exists()


# --- Queries ---------------------------------------------------------------------------------------


def test_the_case_page_reads_the_readings_in_a_fixed_number_of_queries(world, case, client_for):
    client = client_for(world.lead)
    record(case, "family-star-plus", STAR, taken_on=days_ago(30))
    one_reading = queries(client, case_url(case))

    record(case, "family-star-plus", STAR, taken_on=days_ago(20))
    record(case, "family-star-plus", STAR, taken_on=days_ago(10))
    record(case, "graded-care-profile-2", [4, 3, 2, 1], taken_on=days_ago(10))
    record(case, "my-star", [1, 2, 3, 4, 5, 4, 3, 2], taken_on=days_ago(5))
    record(case, "my-star", [2, 2, 3, 4, 5, 4, 3, 2], taken_on=days_ago(1))
    many = queries(client, case_url(case))

    assert many == one_reading


def test_the_record_pages_make_a_fixed_number_of_queries(world, case, client_for):
    client = client_for(world.lead)
    client.get(case_url(case))  # what a process reads once (permission ids) is read here
    choose = queries(client, choose_url(case))
    star = queries(client, record_url(case, "family-star-plus"))
    my_star = queries(client, record_url(case, "my-star"))

    # The session, the user with their roles, the case (with the viewer's permissions) and its access
    # log entry, then the tools and their areas (and, for a tool about one person, the children).
    assert choose == star == 5
    assert my_star == 6

"""TAF meetings and reviews on the pages and through the API: who sees what (a role-by-case matrix,
the same answers on both), planning and recording a meeting on the pages (GOV.UK errors, what was
typed kept), the lead professional's home panel, and the queries each page makes."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Attendance, TafMeeting
from assessments.taf import taf_meeting_plan, taf_meeting_record
from cases import services as case_services
from cases.models import Consent, Person
from tests.assessments.test_review_services import agreed_plan, review
from tests.assessments.test_taf_services import people_of, plan_meeting, soon
from tests.conftest import open_case

CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
MINUTES = "Minutes: mornings are calmer"


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len([q for q in captured.captured_queries if not q["sql"].startswith(CONTROL)])


def hold_and_record(meeting, actor, next_days: int = 42):
    TafMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    meeting.refresh_from_db()
    return taf_meeting_record(
        actor=actor,
        meeting=meeting,
        attendance={a.pk: Attendance.ATTENDED for a in meeting.attendees.all()},
        minutes=MINUTES,
        decisions="Breakfast club.",
        plan_changes="",
        next_starts_at=soon(next_days),
        next_place="Family centre",
    )


@pytest.fixture
def busy_case(world):
    """An active case whose team has the health visitor (the family agreed to share with Health) and
    the teacher (no agreement with the school); a meeting held with minutes, the next one planned
    (everyone in the team invited), and a review recorded."""
    case = open_case(
        world, members=[(world.health_practitioner, "Health visitor"), (world.school_practitioner, "Teacher")]
    )
    type(case).objects.filter(pk=case.pk).update(opened_at=timezone.now() - datetime.timedelta(days=300))
    case.refresh_from_db()
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    case_services.consent_record(
        actor=world.lead,
        family=case.family,
        person=parent,
        scope=Consent.Scope.SHARING,
        status=Consent.Status.GIVEN,
        decided_on=timezone.localdate(),
        agency=world.health,
        case=case,
        evidence=Consent.Evidence.WRITTEN,
    )
    hold_and_record(plan_meeting(case), world.lead)
    plan = agreed_plan(case, teacher=world.school_practitioner)
    review(case, plan)
    return case


# user: (meetings page, sees the minutes, plan page, reviews page) -- the API gives the same answers.
MATRIX = {
    "lead": (200, True, 200, 200),
    "team_manager": (200, True, 200, 200),
    "health_practitioner": (200, True, 404, 200),  # in the team, the family agreed to share with Health
    "school_practitioner": (200, False, 404, 404),  # in the team, no agreement: when and where only
    "duty_manager": (200, True, 404, 200),
    "panel_coordinator": (200, True, 404, 200),
    "analyst": (404, False, 404, 404),
    "administrator": (404, False, 404, 404),
    "other_lead": (404, False, 404, 404),
    "other_manager": (404, False, 404, 404),
    "manager_coordinator": (200, True, 200, 200),  # the team's manager who also coordinates the panel
    "duty_lead": (200, True, 404, 200),  # a duty manager who leads other families
    "superuser": (404, False, 404, 404),
}


@pytest.mark.parametrize("who", MATRIX)
def test_who_sees_meetings_and_reviews_on_the_pages_and_through_the_api(world, busy_case, client_for, who):
    meetings, minutes, plan, reviews_page = MATRIX[who]
    client = client_for(getattr(world, who))
    case = busy_case
    held, planned = TafMeeting.objects.filter(case=case).order_by("starts_at")

    listing = client.get(reverse("assessments:taf-meeting-list", args=[case.pk]))
    held_page = client.get(reverse("assessments:taf-meeting-detail", args=[case.pk, held.pk]))
    planned_page = client.get(reverse("assessments:taf-meeting-detail", args=[case.pk, planned.pk]))
    plan_page = client.get(reverse("assessments:taf-meeting-plan", args=[case.pk]))
    review_list = client.get(reverse("assessments:review-list", args=[case.pk]))
    api = client.get(f"/api/v1/cases/{case.pk}/taf-meetings/")
    api_reviews = client.get(f"/api/v1/cases/{case.pk}/reviews/")

    assert listing.status_code == meetings
    assert planned_page.status_code == meetings
    assert held_page.status_code == (200 if minutes else 404)
    assert (MINUTES in held_page.content.decode()) is minutes
    assert plan_page.status_code == plan
    assert review_list.status_code == reviews_page
    assert api.status_code == meetings
    assert api_reviews.status_code == reviews_page
    if meetings == 200:
        rows = api.json()["results"]
        assert any(row["minutes"] == MINUTES for row in rows) is minutes
        # Everyone who sees the case learns when and where the next meeting is.
        assert planned.pk in [row["id"] for row in rows]
        assert "Family centre" in planned_page.content.decode()
    if meetings == 200 and not minutes:
        html = listing.content.decode() + planned_page.content.decode()
        assert case.family.name not in html
        assert "Health visitor" not in html
        assert [row["attendees"] for row in api.json()["results"]] == [None]


def test_the_plan_page_shows_every_error_and_keeps_what_was_typed(world, client_for):
    case = open_case(world, members=[(world.school_practitioner, "Teacher")])
    client = client_for(world.lead)
    url = reverse("assessments:taf-meeting-plan", args=[case.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"starts_at_0": "31", "starts_at_1": "2", "starts_at_2": "2027", "time": "teatime"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert "The date of the meeting must be a real date" in html
    assert "Enter the time of the meeting, like 10am or 2:30pm" in html
    assert "Enter where the meeting is" in html
    assert 'value="teatime"' in html
    assert not TafMeeting.objects.exists()


def test_the_lead_plans_a_meeting_on_the_page_then_records_it(world, client_for):
    case = open_case(world, members=[(world.school_practitioner, "Teacher")])
    client = client_for(world.lead)
    day = soon(5)
    person = people_of(case)[0]

    response = client.post(
        reverse("assessments:taf-meeting-plan", args=[case.pk]),
        {
            "starts_at_0": day.day,
            "starts_at_1": day.month,
            "starts_at_2": day.year,
            "time": "2:30pm",
            "place": "Hill School",
            "members": [str(world.lead.pk), str(world.school_practitioner.pk)],
            "people": [str(person.pk)],
            "others": "Interpreter\n",
        },
    )

    meeting = TafMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:taf-meeting-detail", args=[case.pk, meeting.pk])
    assert timezone.localtime(meeting.starts_at).strftime("%H:%M") == "14:30"
    assert meeting.attendees.count() == 4

    TafMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    record_url = reverse("assessments:taf-meeting-record", args=[case.pk, meeting.pk])
    form = client.get(record_url).content.decode()
    attendees = list(meeting.attendees.all())
    assert all(f'name="attendance_{a.pk}"' in form for a in attendees)
    missing = client.post(record_url, {"minutes": "Talked."})
    assert "Select whether" in missing.content.decode()
    assert "Enter the date of the next meeting" in missing.content.decode()
    nxt = soon(40)
    done = client.post(
        record_url,
        {
            **{f"attendance_{a.pk}": Attendance.ATTENDED for a in attendees},
            "minutes": "Talked about mornings.",
            "next_starts_at_0": nxt.day,
            "next_starts_at_1": nxt.month,
            "next_starts_at_2": nxt.year,
            "next_time": "10am",
            "next_place": "Family centre",
        },
    )
    assert done.status_code == 302
    assert list(TafMeeting.objects.order_by("starts_at").values_list("status", flat=True)) == ["held", "planned"]


def test_moving_and_cancelling_on_the_pages(world, client_for):
    case = open_case(world)
    meeting = plan_meeting(case)
    client = client_for(world.team_manager)
    day = soon(12)

    moved = client.post(
        reverse("assessments:taf-meeting-move", args=[case.pk, meeting.pk]),
        {"starts_at_0": day.day, "starts_at_1": day.month, "starts_at_2": day.year, "time": "9am", "place": "Library"},
    )
    no_reason = client.post(reverse("assessments:taf-meeting-cancel", args=[case.pk, meeting.pk]), {"reason": ""})
    cancelled = client.post(reverse("assessments:taf-meeting-cancel", args=[case.pk, meeting.pk]), {"reason": "Ill."})

    assert moved.status_code == 302
    assert "Enter why the meeting is cancelled" in no_reason.content.decode()
    assert cancelled.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.place, meeting.status) == ("Library", "cancelled")


def test_the_case_page_links_to_meetings_and_reviews_for_those_who_see_them(world, busy_case, client_for):
    lead = client_for(world.lead).get(reverse("cases:case-detail", args=[busy_case.pk])).content.decode()
    teacher = client_for(world.school_practitioner).get(reverse("cases:case-detail", args=[busy_case.pk]))

    assert reverse("assessments:taf-meeting-list", args=[busy_case.pk]) in lead
    assert reverse("assessments:review-list", args=[busy_case.pk]) in lead
    assert reverse("assessments:taf-meeting-list", args=[busy_case.pk]) in teacher.content.decode()
    assert reverse("assessments:review-list", args=[busy_case.pk]) not in teacher.content.decode()


def test_the_lead_professionals_home_page_lists_their_families_next_meeting_and_review(world, busy_case, client_for):
    unplanned = open_case(world)
    late = open_case(world)
    meeting = plan_meeting(late, members=[world.lead], others=())
    TafMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(days=1))

    page = client_for(world.lead).get("/").content.decode()

    assert "Your families: next TAF and review" in page
    html = page.split("Your families: next TAF and review</h2>")[1].split("<h2")[0]
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, flags=re.S)
    row_of = {case.pk: next(r for r in rows if f'/cases/{case.pk}/"' in r) for case in (busy_case, unplanned, late)}
    assert "Not planned" in row_of[unplanned.pk]
    assert "Overdue: record it" in row_of[late.pk]
    assert soon(42).strftime("%-d %B %Y") in row_of[busy_case.pk]
    assert "Not planned" not in client_for(world.team_manager).get("/").content.decode()


def test_the_home_panel_makes_one_query_however_many_families(world, client_for):
    client = client_for(world.lead)
    open_case(world)
    few = queries(client, "/")
    for _ in range(4):
        plan_meeting(open_case(world), members=[world.lead], others=())

    assert queries(client, "/") == few


def test_the_meeting_pages_make_a_fixed_number_of_queries(world, busy_case, client_for):
    client = client_for(world.lead)
    held = TafMeeting.objects.filter(case=busy_case, status="held").get()
    list_url = reverse("assessments:taf-meeting-list", args=[busy_case.pk])
    detail_url = reverse("assessments:taf-meeting-detail", args=[busy_case.pk, held.pk])
    before = (queries(client, list_url), queries(client, detail_url))
    for _ in range(3):
        hold_and_record(TafMeeting.objects.get(case=busy_case, status="planned"), world.lead)

    assert (queries(client, list_url), queries(client, detail_url)) == before
    assert before[0] <= 12


def test_planning_through_the_api(world, client_for):
    case = open_case(world, members=[(world.school_practitioner, "Teacher")])
    url = f"/api/v1/cases/{case.pk}/taf-meetings/"
    good = {
        "starts_at": soon(3).isoformat(),
        "place": "Hill School",
        "members": [world.school_practitioner.pk],
        "people": [people_of(case)[0].pk],
        "others": ["Interpreter"],
    }

    bad = client_for(world.lead).post(url, {"starts_at": "soon", "members": ["x"]}, content_type="application/json")
    past = client_for(world.lead).post(
        url, {**good, "starts_at": "2020-01-01T10:00:00Z"}, content_type="application/json"
    )
    stranger = client_for(world.lead).post(
        url, {**good, "members": [world.analyst.pk]}, content_type="application/json"
    )
    teacher = client_for(world.school_practitioner).post(url, good, content_type="application/json")
    made = client_for(world.lead).post(url, good, content_type="application/json")

    assert bad.status_code == 400
    assert set(bad.json()) >= {"starts_at", "place"}
    assert past.json() == {"starts_at": ["The meeting must be in the future"]}
    assert stranger.json() == {"members": ["Choose members of the team around the family"]}
    assert teacher.status_code == 404
    assert made.status_code == 201
    assert [a["kind"] for a in made.json()["attendees"]] == ["member", "family", "other"]
    assert TafMeeting.objects.filter(case=case).count() == 1


def test_a_closed_case_has_no_plan_button_and_refuses_planning(world, client_for):
    case = open_case(world, status="closed")
    client = client_for(world.team_manager)

    listing = client.get(reverse("assessments:taf-meeting-list", args=[case.pk])).content.decode()
    page = client.get(reverse("assessments:taf-meeting-plan", args=[case.pk]))

    assert "Plan a meeting" not in listing
    assert page.status_code in (302, 404)
    with pytest.raises(Exception):  # noqa: B017,PT011 (refused by the service, however it says so)
        taf_meeting_plan(actor=world.team_manager, case=case, starts_at=soon(), place="x", members=[world.lead])

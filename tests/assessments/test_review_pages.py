"""The review pages: recording a review (progress on each open action, a reading, the decision) with
GOV.UK errors and what was typed kept; where each decision leads; a review's page and its PDF (read
back, logged as a print); recording through the API; the queries the pages make."""

import datetime
import io

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments import plans, reviews
from assessments.models import ActionStatus, Reading, Review
from cases.models import AccessLog, CaseStatus
from tests.assessments.conftest import record as record_reading
from tests.assessments.test_review_services import agreed_plan, review
from tests.assessments.test_taf_pages import queries
from tests.conftest import open_case


@pytest.fixture
def case(world):
    case = open_case(world, members=[(world.school_practitioner, "Class teacher")])
    type(case).objects.filter(pk=case.pk).update(opened_at=timezone.now() - datetime.timedelta(days=300))
    case.refresh_from_db()
    return case


def form_data(plan, reading, **overrides) -> dict:
    today = timezone.localdate()
    data = {"held_on_0": today.day, "held_on_1": today.month, "held_on_2": today.year}
    for action in reviews.open_actions(plan=plan):
        data[f"action_{action.pk}"] = ActionStatus.ON_TRACK
        data[f"action_{action.pk}_note"] = f"Note on {action.what}"
    data |= {
        "reading": str(reading.pk),
        "family_view": "Mornings are calmer.",
        "summary": "Steady progress.",
        "decision": "continue",
    }
    data.update(overrides)
    return data


def test_the_record_page_asks_about_every_open_action_and_offers_recent_readings(world, case, client_for):
    plan = agreed_plan(case)
    recent = record_reading(case, "family-star-plus", [5] * 10)
    old = record_reading(
        case, "family-star-plus", [4] * 10, taken_on=timezone.localdate() - datetime.timedelta(days=40)
    )

    teachers = plan.actions.get(owner_user=world.school_practitioner)
    plans.action_progress_record(
        actor=world.school_practitioner, action=teachers, note="Place taken up on Mondays", status=ActionStatus.ON_TRACK
    )

    html = client_for(world.lead).get(reverse("assessments:review-record", args=[case.pk])).content.decode()

    # Each action says where it stands, with the latest progress its owner recorded.
    assert f"Now: on track. Latest progress, {timezone.localdate():%-d %B %Y}: Place taken up on Mondays" in html
    assert "Now: not started. No progress recorded yet." in html
    for action in reviews.open_actions(plan=plan):
        assert f'name="action_{action.pk}"' in html
        assert f'name="action_{action.pk}_note"' in html
    assert f'value="{recent.pk}"' in html
    assert f'value="{old.pk}"' not in html
    assert reverse("assessments:reading-tool-choose", args=[case.pk]) in html


def test_without_a_recent_reading_the_page_says_to_record_one_first(world, case, client_for):
    plan = agreed_plan(case)
    data = form_data(plan, record_reading(case, "family-star-plus", [5] * 10))
    data.pop("reading")
    Reading.objects.all().delete()

    response = client_for(world.lead).post(reverse("assessments:review-record", args=[case.pk]), data)

    html = response.content.decode()
    assert "No reading was taken in the last 14 days" in html
    assert "Choose the outcome tool reading taken for this review, or record one first" in html
    assert not Review.objects.exists()


def test_errors_are_summarised_and_what_was_typed_is_kept(world, case, client_for):
    plan = agreed_plan(case)
    reading = record_reading(case, "family-star-plus", [5] * 10)
    first = reviews.open_actions(plan=plan).first()
    data = form_data(plan, reading, summary="", decision="back_to_panel", family_view="Tired of meetings.")
    data[f"action_{first.pk}_note"] = ""

    response = client_for(world.lead).post(reverse("assessments:review-record", args=[case.pk]), data)

    html = response.content.decode()
    assert "<title>Error:" in html
    assert "Enter a summary of progress" in html
    assert f"Enter what was done on “{first.what}”" in html
    assert "Tired of meetings." in html
    assert not Review.objects.exists()
    # The service's own rules come back on the form too.
    data = form_data(plan, reading, decision="back_to_panel")
    again = client_for(world.lead).post(reverse("assessments:review-record", args=[case.pk]), data).content.decode()
    assert "Select why the case is going back to the panel" in again


def step_up_url(case) -> str | None:
    try:
        return reverse("assessments:step-up", args=[case.pk])
    except NoReverseMatch:
        return None


@pytest.mark.parametrize("decision", ["continue", "request_closure", "step_up", "back_to_panel"])
def test_each_decision_leads_to_its_next_step(world, case, client_for, decision):
    plan = agreed_plan(case)
    reading = record_reading(case, "family-star-plus", [5] * 10)
    extra = {"decision_note": "Risk has grown.", "panel_route": "stuck"} if decision != "continue" else {}

    response = client_for(world.lead).post(
        reverse("assessments:review-record", args=[case.pk]), form_data(plan, reading, decision=decision, **extra)
    )

    made = Review.objects.get()
    assert response.status_code == 302
    expected = {
        "continue": reverse("assessments:plan", args=[case.pk]),
        "request_closure": reverse("cases:case-action", args=[case.pk, "request_closure"]),
        "step_up": step_up_url(case) or reverse("assessments:review-detail", args=[case.pk, made.pk]),
        "back_to_panel": reverse("cases:case-detail", args=[case.pk]),
    }[decision]
    assert response["Location"] == expected
    case.refresh_from_db()
    assert (case.status == CaseStatus.AWAITING_ALLOCATION) is (decision == "back_to_panel")
    assert made.reading == reading
    assert made.progress.count() == 2


def test_the_review_page_and_its_pdf_show_the_progress_and_the_reading(world, case, client_for):
    plan = agreed_plan(case)
    record_reading(case, "family-star-plus", [3] * 10, taken_on=timezone.localdate() - datetime.timedelta(days=60))
    made = review(case, plan)
    client = client_for(world.team_manager)

    page = client.get(reverse("assessments:review-detail", args=[case.pk, made.pk])).content.decode()
    pdf = client.get(reverse("assessments:review-pdf", args=[case.pk, made.pk]))

    assert "Breakfast club place" in page
    assert "Family Star Plus" in page
    assert "<svg" in page
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert case.family.name not in pdf["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "OFFICIAL-SENSITIVE" in text
    assert "Review 1 of the plan" in text
    assert "Breakfast club place" in text
    assert "Going well." in text
    assert "Mornings are calmer." in text
    assert "Family Star Plus" in text
    assert AccessLog.objects.filter(user=world.team_manager, action=AccessLog.Action.PRINT, case_id=case.pk).exists()


def test_the_pdf_is_refused_like_the_page(world, case, client_for):
    made = review(case, agreed_plan(case))
    url = reverse("assessments:review-pdf", args=[case.pk, made.pk])

    assert client_for(world.school_practitioner).get(url).status_code == 404
    assert client_for(world.analyst).get(url).status_code == 404
    assert client_for(world.duty_manager).get(url).status_code == 200


def test_recording_a_review_through_the_api(world, case, client_for):
    plan = agreed_plan(case)
    reading = record_reading(case, "family-star-plus", [5] * 10)
    first, second = reviews.open_actions(plan=plan)
    url = f"/api/v1/cases/{case.pk}/reviews/"
    body = {
        "held_on": timezone.localdate().isoformat(),
        "progress": [{"action": first.pk, "status": "done", "note": "Done."}],
        "reading": reading.pk,
        "family_view": "Better.",
        "summary": "Good.",
        "decision": "continue",
    }
    client = client_for(world.lead)

    wrong = client.post(url, {**body, "decision": "maybe", "held_on": "yesterday"}, content_type="application/json")
    missing = client.post(url, body, content_type="application/json")
    teacher = client_for(world.school_practitioner).post(url, body, content_type="application/json")
    body["progress"].append({"action": second.pk, "status": "behind", "note": "Slow."})
    made = client.post(url, body, content_type="application/json")

    assert wrong.status_code == 400
    assert set(wrong.json()) == {"decision", "held_on"}
    assert missing.status_code == 400
    assert missing.json() == {
        f"progress.{second.pk}": [f"Select the progress on “{second.what}”"],
        f"progress.{second.pk}.note": [f"Enter what was done on “{second.what}”"],
    }
    assert teacher.status_code == 404
    assert made.status_code == 201
    assert made.json()["number"] == 1
    assert {row["action"]: row["status"] for row in made.json()["progress"]} == {first.pk: "done", second.pk: "behind"}
    listed = client.get(url).json()["results"]
    assert [row["id"] for row in listed] == [made.json()["id"]]


def test_the_review_pages_make_a_fixed_number_of_queries(world, case, client_for):
    plan = agreed_plan(case)
    first = review(case, plan)
    client = client_for(world.lead)
    urls = [
        reverse("assessments:review-list", args=[case.pk]),
        reverse("assessments:review-detail", args=[case.pk, first.pk]),
        reverse("assessments:review-record", args=[case.pk]),
    ]
    before = [queries(client, url) for url in urls]
    for _ in range(3):
        review(case, plan)

    assert [queries(client, url) for url in urls] == before

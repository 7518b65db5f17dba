"""The family plan's pages and API: who sees and changes what (a role-by-case matrix through the page
and the API), consent withdrawal, the TAF member's own actions, query counts, the PDF read back."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from assessments import plans
from assessments.models import ActionUpdate, PlanAction, PlanVersion
from cases import needs as case_needs
from cases.models import AccessLog, Consent, DescriptorKind, OutcomeArea
from tests.assessments.test_plan_support import days, planned_case, ready_case, share
from tests.conftest import VIEWERS

# The case is led by `lead` (the north team); the school practitioner and the health practitioner
# are in its team; the family agreed to share with the school, not with health.
SEES_PLAN = {
    *("duty_manager", "panel_coordinator", "county_coordinator", "lead", "team_manager", "school_practitioner"),
    *("manager_coordinator", "duty_lead"),
}
EDITS_PLAN = {"lead", "team_manager", "manager_coordinator"}


@pytest.fixture
def planned(world):
    case, plan, action, family_action = planned_case(world, overdue=True)
    share(world, case, world.school)
    return case, plan, action, family_action


def plan_url(case) -> str:
    return reverse("assessments:plan", args=[case.pk])


@pytest.mark.parametrize("who", VIEWERS)
def test_the_plan_page_by_role(world, client_for, planned, who):
    case, plan, action, _ = planned

    response = client_for(getattr(world, who)).get(plan_url(case))

    if who not in SEES_PLAN:
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert response.status_code == 200
    assert "We want Sam to get to school every day" in page
    assert "Daily check-in at the school gate" in page
    assert "Attendance over 90% for four weeks" in page
    assert 'govuk-tag--red">Overdue' in page
    assert "Ask the panel" in page and "Good attendance" in page
    assert ("Add an action" in page) == (who in EDITS_PLAN)


@pytest.mark.parametrize("who", VIEWERS)
def test_the_plan_api_by_role(world, client_for, planned, who):
    case, plan, action, _ = planned

    response = client_for(getattr(world, who)).get(f"/api/v1/cases/{case.pk}/plan/")

    if who not in SEES_PLAN:
        assert response.status_code == 404
        return
    body = response.json()
    assert response.status_code == 200
    assert body["plan"]["outcomes"][0]["text"] == "We want Sam to get to school every day"
    school = next(a for a in body["plan"]["actions"] if a["id"] == action.pk)
    assert school["overdue"] is True and school["owner_user"] == world.school_practitioner.pk


@pytest.mark.parametrize("who", VIEWERS)
def test_only_the_lead_professional_and_team_manager_edit_the_plan(world, client_for, planned, who):
    case, plan, action, _ = planned
    client = client_for(getattr(world, who))

    page = client.get(reverse("assessments:plan-action-add", args=[case.pk]))
    api = client.post(
        f"/api/v1/cases/{case.pk}/plan/actions/",
        {"what": "Call", "owner_user": world.lead.pk, "due_on": str(days(5)), "measure": "Called"},
        content_type="application/json",
    )

    if who in EDITS_PLAN:
        assert page.status_code == 200
        assert api.status_code == 201, api.content
        assert api.json()["owner"].startswith(world.lead.get_full_name())
    else:
        assert page.status_code == 404
        assert api.status_code == 404


def test_an_owner_without_consent_sees_only_their_own_actions_titles(world, client_for, planned):
    case, plan, action, family_action = planned
    client = client_for(world.school_practitioner)
    assert client.get(plan_url(case)).status_code == 200

    share(world, case, world.school, Consent.Status.WITHDRAWN)

    # On the very next request: no plan, no family, but their own action's title and its form.
    assert client.get(plan_url(case)).status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/plan/").status_code == 404
    home = client.get("/").content.decode()
    assert "Daily check-in at the school gate" in home and case.reference in home
    assert "Set a bedtime routine" not in home and case.family.name not in home
    action_url = reverse("assessments:plan-action", args=[case.pk, action.pk])
    page = client.get(action_url).content.decode()
    assert "Daily check-in at the school gate" in page
    assert "Attendance over 90%" not in page and case.family.name not in page
    assert "We want Sam" not in page
    # Another action of the plan is not theirs: the same answer as no such action.
    assert client.get(reverse("assessments:plan-action", args=[case.pk, family_action.pk])).status_code == 404
    mine = client.get("/api/v1/plan-actions/").json()
    assert [(a["id"], a["what"], a["case_reference"]) for a in mine["results"]] == [
        (action.pk, "Daily check-in at the school gate", case.reference)
    ]
    assert set(mine["results"][0]) == {"id", "case", "case_reference", "what", "due_on", "status", "overdue"}

    response = client.post(action_url, {"note": "Met at the gate", "status": "on_track"})
    api = client.post(
        f"/api/v1/cases/{case.pk}/plan/actions/{action.pk}/progress/",
        {"note": "Twice this week", "status": "behind"},
        content_type="application/json",
    )

    assert response.status_code == 302
    assert api.status_code == 201, api.content
    assert list(ActionUpdate.objects.filter(action=action).values_list("note", flat=True)) == [
        "Twice this week",
        "Met at the gate",
    ]


def test_progress_shows_on_the_plan_page(world, client_for, planned):
    case, plan, action, _ = planned
    client_for(world.school_practitioner).post(
        reverse("assessments:plan-action", args=[case.pk, action.pk]), {"note": "Met Sam at the gate", "status": "done"}
    )

    page = client_for(world.lead).get(plan_url(case)).content.decode()

    assert "Met Sam at the gate" in page
    action.refresh_from_db()
    assert action.status == "done"


def test_a_member_who_does_not_own_an_action_cannot_record_progress(world, client_for, planned):
    case, plan, action, family_action = planned
    share(world, case, world.health)
    client = client_for(world.health_practitioner)

    page = client.get(reverse("assessments:plan-action", args=[case.pk, action.pk]))
    post = client.post(reverse("assessments:plan-action", args=[case.pk, action.pk]), {"note": "x", "status": "done"})
    api = client.post(
        f"/api/v1/cases/{case.pk}/plan/actions/{action.pk}/progress/",
        {"note": "x", "status": "done"},
        content_type="application/json",
    )

    assert page.status_code == 200 and "Record progress" not in page.content.decode()
    assert post.status_code == 403 and api.status_code == 403
    assert not ActionUpdate.objects.exists()


def test_bad_progress_is_answered_with_field_errors_and_what_was_typed_kept(world, client_for, planned):
    case, plan, action, _ = planned
    client = client_for(world.school_practitioner)

    page = client.post(
        reverse("assessments:plan-action", args=[case.pk, action.pk]), {"note": "Half done", "status": ""}
    )
    api = client.post(
        f"/api/v1/cases/{case.pk}/plan/actions/{action.pk}/progress/",
        {"note": "", "status": "finished"},
        content_type="application/json",
    )

    assert page.status_code == 200
    assert "Select the action&#x27;s status now" in page.content.decode() and "Half done" in page.content.decode()
    assert api.status_code == 400
    assert set(api.json()) == {"note", "status"}


def test_bad_actions_from_the_api_get_field_errors(world, client_for, planned):
    case, plan, action, family_action = planned
    client = client_for(world.lead)

    response = client.post(
        f"/api/v1/cases/{case.pk}/plan/actions/",
        {"what": "", "owner_user": world.other_lead.pk, "due_on": "2020-01-01", "measure": "x"},
        content_type="application/json",
    )
    past = client.post(
        f"/api/v1/cases/{case.pk}/plan/actions/",
        {"what": "Call", "owner_person": family_action.owner_person_id, "due_on": str(days(-1)), "measure": "x"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"what"}
    assert past.status_code == 400
    assert past.json() == {"due_on": ["The date it will be done by must be today or in the future"]}
    not_member = client.post(
        f"/api/v1/cases/{case.pk}/plan/actions/",
        {"what": "Call", "owner_user": world.other_lead.pk, "due_on": str(days(1)), "measure": "x"},
        content_type="application/json",
    )
    assert not_member.status_code == 400 and set(not_member.json()) == {"owner_user"}


def test_adding_an_action_on_the_page_keeps_what_was_typed(world, client_for, planned):
    case, plan, action, _ = planned
    url = reverse("assessments:plan-action-add", args=[case.pk])

    response = client_for(world.lead).post(
        url,
        {
            "what": "Homework club",
            "owner": f"user-{world.school_practitioner.pk}",
            "measure": "",
            "due_on_0": "1",
            "due_on_1": "1",
            "due_on_2": "2020",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Homework club" in page
    assert "Enter how progress will be measured" in page
    assert "The date it will be done by must be today or in the future" in page
    assert PlanAction.objects.filter(plan=plan).count() == 2


def test_agreeing_on_the_page_keeps_a_version_shown_beside_the_plan(world, client_for, planned):
    case, plan, action, _ = planned
    client = client_for(world.lead)
    today = days(0)

    response = client.post(
        reverse("assessments:plan-agree", args=[case.pk]),
        {"agreed_on_0": today.day, "agreed_on_1": today.month, "agreed_on_2": today.year},
    )
    plans.plan_action_end(actor=world.lead, action=action)
    version = plan.versions.get()
    page = client.get(reverse("assessments:plan-version", args=[case.pk, version.pk])).content.decode()

    assert response.status_code == 302
    assert "Version 1" in page and "The plan now" in page
    # The ended action is in the version, not in the plan now.
    assert page.count("Daily check-in at the school gate") == 1
    assert page.count("Set a bedtime routine") == 2


def test_the_plans_versions_are_listed_a_page_at_a_time(world, client_for, planned):
    case, plan, _, _ = planned
    for number in range(1, 22):
        PlanVersion.objects.create(plan=plan, number=number, reason=f"Review {number}", content={}, made_by=world.lead)
    client = client_for(world.lead)

    first = client.get(plan_url(case)).content.decode()
    second = client.get(plan_url(case), {"page": 2}).content.decode()

    assert "Review 21<" in first and "Review 2<" in first and "Review 1<" not in first
    assert 'href="?page=2"' in first
    assert "Review 1<" in second and "Review 2<" not in second


def test_the_plan_page_takes_the_same_queries_however_big_the_plan(
    world, client_for, planned, django_assert_max_num_queries
):
    case, plan, action, _ = planned
    client = client_for(world.lead)
    client.get(plan_url(case))
    with CaptureQueriesContext(connection) as small:
        client.get(plan_url(case))
    outcome = plan.outcomes.get()
    for n in range(4):
        added = plans.plan_action_add(
            actor=world.lead,
            plan=plan,
            what=f"Step {n}",
            owner_user=world.lead,
            due_on=days(n),
            measure="x",
            outcome=outcome,
        )
        plans.action_progress_record(actor=world.lead, action=added, note="Going well", status="on_track")
    plans.plan_outcome_add(actor=world.lead, plan=plan, text="Calm mornings", needs=case.needs.all())
    plans.plan_agree(plan, world.lead, days(0))

    with django_assert_max_num_queries(len(small) + 1):
        response = client.get(plan_url(case))
    assert response.status_code == 200


def test_the_plan_api_names_each_needs_descriptor_and_framework_in_the_same_queries(world, client_for, planned):
    case, plan, _action, _ = planned
    client = client_for(world.lead)
    url = f"/api/v1/cases/{case.pk}/plan/"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    housing = OutcomeArea.objects.select_related("framework").get(framework__active=True, code="housing")
    arrears = housing.descriptors.get(kind=DescriptorKind.NEED, code="rent-arrears")
    needs = [
        case_needs.need_record(
            actor=world.lead, case=case, area=housing, description=f"Arrears {n}", descriptor=arrears
        )
        for n in range(3)
    ]
    plans.plan_outcome_add(actor=world.lead, plan=plan, text="A safe home", needs=needs)

    with CaptureQueriesContext(connection) as more:
        response = client.get(url)

    assert len(more) == len(one), [query["sql"] for query in more.captured_queries]
    outcomes = {outcome["text"]: outcome["needs"] for outcome in response.json()["plan"]["outcomes"]}
    assert [need["descriptor"] for need in outcomes["We want Sam to get to school every day"]] == [None]
    assert [need["descriptor"] for need in outcomes["A safe home"]] == [
        {"id": arrears.pk, "code": "rent-arrears", "text": arrears.text}
    ] * 3
    assert {need["framework"] for need in outcomes["A safe home"]} == {str(housing.framework)}


def test_the_home_panel_lists_a_members_actions_in_a_fixed_number_of_queries(world, client_for, planned):
    case, plan, action, _ = planned
    client = client_for(world.school_practitioner)
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        page = client.get("/").content.decode()
    assert "Your actions" in page and "Daily check-in at the school gate" in page
    for n in range(7):
        other, other_plan, *_ = planned_case(world)
        plans.plan_action_add(
            actor=world.lead,
            plan=other_plan,
            what=f"Call {n}",
            owner_user=world.school_practitioner,
            due_on=days(n),
            measure="x",
        )

    with CaptureQueriesContext(connection) as many:
        page = client.get("/").content.decode()

    assert len(many) == len(one)
    assert "See all your actions" in page
    # Overdue first.
    assert page.index("Daily check-in at the school gate") < page.index("Call 0")
    full = client.get(reverse("assessments:your-actions")).content.decode()
    assert "Call 6" in full and 'govuk-tag--red">Overdue' in full


def test_the_case_page_offers_the_family_plan_to_those_who_see_it(world, client_for, planned):
    case, *_ = planned
    link = f'href="{plan_url(case)}"'

    assert link in client_for(world.lead).get(f"/cases/{case.pk}/").content.decode()
    assert link in client_for(world.school_practitioner).get(f"/cases/{case.pk}/").content.decode()
    assert link not in client_for(world.health_practitioner).get(f"/cases/{case.pk}/").content.decode()


def test_the_plan_pdf_is_read_back_and_logged_as_a_print(world, client_for, planned):
    case, plan, action, _ = planned

    response = client_for(world.lead).get(reverse("assessments:plan-pdf", args=[case.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'{case.reference.lower()}-plan.pdf"')
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "OFFICIAL-SENSITIVE" in text
    assert "We want Sam to get to school every day" in text
    assert "Daily check-in at the school gate" in text and "(overdue)" in text
    assert "Good attendance" in text
    assert AccessLog.objects.filter(user=world.lead, case=case, action=AccessLog.Action.PRINT).count() == 1
    assert client_for(world.health_practitioner).get(reverse("assessments:plan-pdf", args=[case.pk])).status_code == 404


def test_starting_a_plan_on_the_page(world, client_for):
    case = ready_case(world)
    client = client_for(world.lead)
    assert "Start the family plan" in client.get(plan_url(case)).content.decode()

    response = client.post(reverse("assessments:plan-start", args=[case.pk]), {"contingency_plan": "", "exit_plan": ""})

    assert response.status_code == 302
    assert case.__class__.objects.get(pk=case.pk).plan is not None


def test_every_page_of_the_plan_opens_for_the_lead_professional_and_its_forms_work(world, client_for, planned):
    case, plan, action, family_action = planned
    client = client_for(world.lead)
    outcome = plan.outcomes.get()
    need = case.needs.get()
    pages = [
        ("plan-edit", [case.pk]),
        ("plan-agree", [case.pk]),
        ("plan-outcome-add", [case.pk]),
        ("plan-outcome-edit", [case.pk, outcome.pk]),
        ("plan-outcome-end", [case.pk, outcome.pk]),
        ("plan-action-add", [case.pk]),
        ("plan-action-edit", [case.pk, action.pk]),
        ("plan-action-end", [case.pk, action.pk]),
        ("plan-action", [case.pk, family_action.pk]),
    ]
    for name, args in pages:
        response = client.get(reverse(f"assessments:{name}", args=args))
        assert response.status_code == 200, name

    added = client.post(
        reverse("assessments:plan-outcome-add", args=[case.pk]), {"text": "Calm mornings", "needs": [str(need.pk)]}
    )
    edited = client.post(
        reverse("assessments:plan-action-edit", args=[case.pk, action.pk]),
        {
            "what": "Gate check-in twice a week",
            "owner": f"user-{world.health_practitioner.pk}",
            "due_on_0": action.due_on.day,
            "due_on_1": action.due_on.month,
            "due_on_2": action.due_on.year,
            "measure": action.measure,
            "outcome": str(outcome.pk),
            "status": "behind",
        },
    )
    ended = client.post(reverse("assessments:plan-action-end", args=[case.pk, family_action.pk]), {})
    contingency = client.post(
        reverse("assessments:plan-edit", args=[case.pk]), {"contingency_plan": "Panel", "exit_plan": ""}
    )

    assert [r.status_code for r in (added, edited, ended, contingency)] == [302, 302, 302, 302]
    action.refresh_from_db()
    family_action.refresh_from_db()
    assert (action.what, action.owner_user, action.status) == (
        "Gate check-in twice a week",
        world.health_practitioner,
        "behind",
    )
    assert family_action.ended_at is not None
    assert plan.outcomes.filter(text="Calm mornings").exists()
    plan.refresh_from_db()
    assert (plan.contingency_plan, plan.exit_plan) == ("Panel", "")

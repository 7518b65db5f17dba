"""Forms through HTTP: a refused post shows the GOV.UK error page (title prefixed "Error: ", the
error summary linking to each field, messages worded the GOV.UK way, what the user typed kept); an
accepted post goes back to the case, which shows a success banner."""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.html import escape

from cases.models import Case, CaseMember, CaseStatus, ChronologyEntry, Consent, Person
from cases.views import CASE_ACTION_DONE, CASE_ACTION_LABELS
from tests.conftest import open_case as _open_case


def open_case(world, **kwargs):
    case = _open_case(world, **kwargs)
    case.refresh_from_db()
    return case


def assert_error_page(response, *errors):
    """`errors`: (id the summary links to, message) for each expected error."""
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    for anchor, message in errors:
        assert f'<li><a href="#{anchor}">{escape(message)}</a></li>' in html
        assert re.search(
            r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>\s*'
            + re.escape(escape(message)),
            html,
        )
    summary = html[
        html.index("govuk-error-summary__list") : html.index("</ul>", html.index("govuk-error-summary__list"))
    ]
    assert summary.count("<li>") == len(errors)
    return html


def assert_done(client, response, case, banner):
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "govuk-notification-banner--success" in page
    heading = f'<p class="govuk-notification-banner__heading">{escape(banner)}</p>'
    assert heading in page
    # A banner is shown once.
    assert heading not in client.get(response["Location"]).content.decode()


def checked_radio(html, element_id, value):
    return re.search(rf'id="{element_id}"\s+value="{value}"\s+checked', html) is not None


# --- Notes ----------------------------------------------------------------------------------------------


def test_note_without_summary_and_with_an_impossible_date(world, client_for):
    case = open_case(world, status="active")

    response = client_for(world.lead).post(
        f"/cases/{case.pk}/notes/add/",
        {
            "kind": "contact",
            "summary": "",
            "body": "Spoke to Mum about the school run.",
            "occurred_on_0": "31",
            "occurred_on_1": "2",
            "occurred_on_2": "2026",
        },
    )

    html = assert_error_page(
        response,
        ("id_summary", "Enter a short summary of the note"),
        ("id_occurred_on_0", "The date this happened must be a real date"),
    )
    assert checked_radio(html, "id_kind_2", "contact")
    assert "Spoke to Mum about the school run.</textarea>" in html
    assert 'name="occurred_on_0" value="31"' in html
    assert 'name="occurred_on_1" value="2"' in html
    assert 'name="occurred_on_2" value="2026"' in html
    assert ChronologyEntry.objects.filter(case=case, kind=ChronologyEntry.Kind.CONTACT).exists() is False


def test_note_without_a_kind_links_to_the_first_radio(world, client_for):
    case = open_case(world, status="active")

    response = client_for(world.lead).post(
        f"/cases/{case.pk}/notes/add/", {"summary": "Home visit", "body": "", "occurred_on_0": ""}
    )

    html = assert_error_page(response, ("id_kind_1", "Choose what kind of note this is"))
    assert 'name="summary" value="Home visit"' in html


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("1", "1", "2099", "The date must be today or in the past"),
        ("0", "1", "2026", "The date this happened must be a real date"),
        ("1", "13", "2026", "The date this happened must be a real date"),
        ("one", "May", "2026", "The date this happened must be a real date"),
        ("1", "1", "99999999999999999999", "The date this happened must be a real date"),
        ("4", "", "2026", "The date this happened must include a month"),
    ],
)
def test_note_with_a_bad_date(world, client_for, day, month, year, message):
    case = open_case(world, status="active")

    response = client_for(world.lead).post(
        f"/cases/{case.pk}/notes/add/",
        {"kind": "note", "summary": "Visit", "occurred_on_0": day, "occurred_on_1": month, "occurred_on_2": year},
    )

    html = assert_error_page(response, ("id_occurred_on_0", message))
    assert f'name="occurred_on_0" value="{escape(day)}"' in html


def test_note_saved_goes_back_to_the_case_with_a_banner(world, client_for):
    case = open_case(world, status="active")
    client = client_for(world.lead)
    day = timezone.localdate() - datetime.timedelta(days=3)

    response = client.post(
        f"/cases/{case.pk}/notes/add/",
        {
            "kind": "meeting",
            "summary": "TAF meeting",
            "body": "Plan reviewed.",
            "occurred_on_0": str(day.day),
            "occurred_on_1": str(day.month),
            "occurred_on_2": str(day.year),
        },
    )

    assert_done(client, response, case, "Note saved")
    note = ChronologyEntry.objects.get(case=case, kind=ChronologyEntry.Kind.MEETING)
    assert note.summary == "TAF meeting"
    assert timezone.localdate(note.occurred_at) == day


def test_note_dated_today_is_saved_whatever_the_time(world, client_for):
    case = open_case(world, status="active")
    client = client_for(world.lead)
    today = timezone.localdate()

    response = client.post(
        f"/cases/{case.pk}/notes/add/",
        {
            "kind": "note",
            "summary": "Phone call",
            "occurred_on_0": str(today.day),
            "occurred_on_1": str(today.month),
            "occurred_on_2": str(today.year),
        },
    )

    assert_done(client, response, case, "Note saved")


# --- The team around the family -------------------------------------------------------------------------


def test_member_add_without_practitioner_or_role(world, client_for):
    case = open_case(world, status="active")

    response = client_for(world.lead).post(f"/cases/{case.pk}/team/add/", {"user": "", "role": ""})

    assert_error_page(
        response,
        ("id_user", "Choose the practitioner to add"),
        ("id_role", "Enter what they will do for the family"),
    )


def test_member_add_keeps_what_was_typed(world, client_for):
    case = open_case(world, status="active")

    response = client_for(world.lead).post(
        f"/cases/{case.pk}/team/add/", {"user": str(world.school_practitioner.pk), "role": ""}
    )

    html = assert_error_page(response, ("id_role", "Enter what they will do for the family"))
    assert re.search(rf'<option value="{world.school_practitioner.pk}" selected>', html)


def test_member_add_of_someone_already_in_the_team(world, client_for):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])

    response = client_for(world.lead).post(
        f"/cases/{case.pk}/team/add/", {"user": str(world.school_practitioner.pk), "role": "School nurse"}
    )

    name = world.school_practitioner.get_full_name()
    html = assert_error_page(response, ("id_user", f"{name} is already in the team around the family"))
    assert 'name="role" value="School nurse"' in html
    assert CaseMember.objects.filter(case=case, user=world.school_practitioner).count() == 1


def test_member_added_goes_back_to_the_case_with_a_banner(world, client_for):
    case = open_case(world, status="active")
    client = client_for(world.lead)

    response = client.post(
        f"/cases/{case.pk}/team/add/", {"user": str(world.health_practitioner.pk), "role": "Health visitor"}
    )

    name = world.health_practitioner.get_full_name()
    assert_done(client, response, case, f"{name} added to the team around the family")
    assert CaseMember.objects.get(case=case, user=world.health_practitioner, ended_at__isnull=True).role == (
        "Health visitor"
    )


# --- Consent -------------------------------------------------------------------------------------------


def consent_post(case, day, month, year):
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    return parent, {
        "person": str(parent.pk),
        "scope": Consent.Scope.ASSESSMENT,
        "status": Consent.Status.GIVEN,
        # Given by the parent in person, witnessed (a signed form would be uploaded).
        "evidence": Consent.Evidence.VERBAL,
        "method": Consent.Method.IN_PERSON,
        "witness": "Sam Patel, family support worker",
        "decided_on_0": day,
        "decided_on_1": month,
        "decided_on_2": year,
    }


def test_consent_dated_in_the_future(world, client_for):
    case = open_case(world, status="active")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    parent, data = consent_post(case, str(tomorrow.day), str(tomorrow.month), str(tomorrow.year))

    response = client_for(world.lead).post(f"/cases/{case.pk}/consent/add/", data)

    html = assert_error_page(response, ("id_decided_on_0", "The date of the decision must be today or in the past"))
    assert f'name="decided_on_2" value="{tomorrow.year}"' in html
    assert Consent.objects.filter(case=case).exists() is False


def test_consent_with_an_impossible_date(world, client_for):
    case = open_case(world, status="active")
    parent, data = consent_post(case, "30", "2", "2026")

    response = client_for(world.lead).post(f"/cases/{case.pk}/consent/add/", data)

    html = assert_error_page(response, ("id_decided_on_0", "The date of the decision must be a real date"))
    assert re.search(rf'value="{parent.pk}"\s+checked', html)
    assert 'name="decided_on_0" value="30"' in html


def test_consent_recorded_goes_back_to_the_case_with_a_banner(world, client_for):
    case = open_case(world, status="active")
    client = client_for(world.lead)
    parent, data = consent_post(case, "2", "3", "2026")

    response = client.post(f"/cases/{case.pk}/consent/add/", data)

    assert_done(client, response, case, "Consent recorded")
    assert Consent.objects.get(case=case).decided_on == datetime.date(2026, 3, 2)


# --- Lifecycle actions ----------------------------------------------------------------------------------

# action: (status the case is in, who acts)
ACTION_SETTING = {
    "allocate": ("awaiting_allocation", "panel_coordinator"),
    "assign_lead_professional": ("awaiting_lead_professional", "team_manager"),
    "request_closure": ("active", "lead"),
    "return_closure": ("closure_requested", "team_manager"),
    "sign_off_closure": ("closure_requested", "team_manager"),
    "close_unallocated": ("awaiting_allocation", "panel_coordinator"),
}


def outcomes_answers(action):
    """What the outcomes app asks on the closure pages (`cases.extensions.MoveQuestions`), answered:
    a case with no needs is asked where the family goes next and its feedback, and the manager
    whether progress was significant and sustained."""
    from outcomes.models import ClosureDestination

    if action == "request_closure":
        return {
            "outcomes-destination": str(ClosureDestination.objects.get(code="universal").pk),
            "outcomes-feedback_timely": "yes",
            "outcomes-feedback_knew_lead": "yes",
            "outcomes-feedback_told_once": "not_asked",
        }
    if action == "sign_off_closure":
        return {"outcomes-significant_and_sustained": "yes"}
    return {}


def valid_data(action, world):
    return (
        outcomes_answers(action)
        | {
            "allocate": {"lead_agency": str(world.council.pk), "team": str(world.team.pk)},
            "assign_lead_professional": {"lead_professional": str(world.lead.pk)},
            "request_closure": {
                "reason": str(world.outcomes_met.pk),
                "summary": "All goals met and held for 3 months.",
            },
            "return_closure": {"note": "Check attendance first."},
            "sign_off_closure": {"note": ""},
            "close_unallocated": {"reason": str(world.outcomes_met.pk), "summary": "The family moved away."},
        }[action]
    )


# (action, data, errors, a fragment of what was typed that must still be on the page)
INVALID_ACTION_POSTS = [
    ("allocate", {"lead_agency": "", "team": ""}, [("id_lead_agency", "Choose the lead agency")], ""),
    (
        "assign_lead_professional",
        {"lead_professional": ""},
        [("id_lead_professional", "Choose the lead professional")],
        "",
    ),
    (
        "request_closure",
        {"reason": "", "summary": "Attendance is back to 95%."},
        [("id_reason_1", "Choose why the case is closing")],
        "Attendance is back to 95%.</textarea>",
    ),
    (
        "request_closure",
        {"reason": "", "summary": "   "},
        [
            ("id_reason_1", "Choose why the case is closing"),
            ("id_summary", "Enter a summary of the progress made and why the case can close"),
        ],
        "",
    ),
    (
        "return_closure",
        {"note": ""},
        [("id_note", "Enter what needs to happen before the case can close")],
        "",
    ),
    (
        "close_unallocated",
        {"reason": "", "summary": "Family declined."},
        [("id_reason_1", "Choose why the case is closing")],
        "Family declined.</textarea>",
    ),
]


def test_every_action_with_a_required_answer_has_an_invalid_post():
    # sign_off_closure asks only for an optional note: there is nothing to get wrong.
    assert {action for action, *_ in INVALID_ACTION_POSTS} == set(CASE_ACTION_LABELS) - {"sign_off_closure"}
    assert set(ACTION_SETTING) == set(CASE_ACTION_LABELS)


@pytest.mark.parametrize(("action", "data", "errors", "kept"), INVALID_ACTION_POSTS)
def test_invalid_action_post_shows_the_errors(world, client_for, action, data, errors, kept):
    status, actor = ACTION_SETTING[action]
    case = open_case(world, status=status)

    response = client_for(getattr(world, actor)).post(f"/cases/{case.pk}/{action}/", outcomes_answers(action) | data)

    html = assert_error_page(response, *errors)
    assert kept in html
    assert Case.objects.get(pk=case.pk).status == status


def test_request_closure_keeps_the_chosen_reason(world, client_for):
    case = open_case(world, status="active")

    response = client_for(world.lead).post(
        f"/cases/{case.pk}/request_closure/",
        outcomes_answers("request_closure") | {"reason": str(world.outcomes_met.pk), "summary": ""},
    )

    html = assert_error_page(
        response, ("id_summary", "Enter a summary of the progress made and why the case can close")
    )
    assert re.search(
        rf'name="reason"\s+class="govuk-radios__input"\s+id="id_reason_\d+"\s+value="{world.outcomes_met.pk}"\s+checked',
        html,
    )


def test_allocate_to_a_team_of_another_agency_shows_the_services_error(world, client_for):
    case = open_case(world, status="awaiting_allocation")

    response = client_for(world.panel_coordinator).post(
        f"/cases/{case.pk}/allocate/", {"lead_agency": str(world.health.pk), "team": str(world.team.pk)}
    )

    html = assert_error_page(response, ("id_team", "Choose a team of the lead agency"))
    assert re.search(rf'<option value="{world.health.pk}" selected>', html)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_ALLOCATION


@pytest.mark.parametrize("action", list(CASE_ACTION_LABELS))
def test_valid_action_post_goes_back_to_the_case_with_a_banner(world, client_for, action):
    status, actor = ACTION_SETTING[action]
    case = open_case(world, status=status)
    client = client_for(getattr(world, actor))

    response = client.post(f"/cases/{case.pk}/{action}/", valid_data(action, world))

    assert_done(client, response, case, CASE_ACTION_DONE[action])
    assert ChronologyEntry.objects.filter(case=case, event=f"case_{action}").count() == 1

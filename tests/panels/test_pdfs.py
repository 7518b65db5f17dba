"""The panel's printed papers: the agenda with its papers and the minutes, as tagged PDFs read back
with pypdf. A family's details only for those it agreed to share with; every page marked
OFFICIAL-SENSITIVE; each print in the access log; a fixed number of queries however long the agenda."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases import services as case_services
from cases.models import AccessLog, Consent, Destination, PanelRoute, User
from cases.roles import Role
from front_door import services as front_door_services
from front_door.models import Channel, DecisionOutcome
from front_door.services import PersonData
from panels import services
from panels.models import Attendance, Meeting, PanelOutcome
from panels.pdf import agenda_pdf, minutes_pdf
from panels.permissions import AGENDA_RECORD
from panels.words import time_words as govuk_time
from tests.factories import TeamFactory, UserFactory
from tests.panels.conftest import waiting_case

REASON = "The front door found several needs: school attendance and housing."
QUESTION = "Is the family known to health visiting?"
ANSWER = "Yes: two missed health checks this year."


def pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def text(pdf: bytes) -> str:
    return " ".join(pages(pdf))


def front_door_case(w):
    """A case that came from a practitioner's referral, decided by the front door for the panel, with
    a partner's answer: what the papers show."""
    referral = front_door_services.referral_receive(
        channel=Channel.PRACTITIONER,
        actor=w.lead,
        people=[
            PersonData(kind="child", first_name="Amara", last_name="Okafor", date_of_birth=datetime.date(2016, 5, 17)),
            PersonData(
                kind="adult",
                first_name="Grace",
                last_name="Okafor",
                date_of_birth=datetime.date(1988, 2, 3),
                relationship="Mother",
                parental_responsibility=True,
            ),
        ],
        address_line_1="12 Mill Lane",
        town="Exton",
        postcode="EX1 1AB",
        concerns="Amara has missed 20 days of school this term.",
        level_of_need=w.level3,
        consent_given=True,
    )
    front_door_services.referral_decide(
        confirm_new_people=True,
        actor=w.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=w.level3,
        reason=REASON,
        destination=Destination.objects.get(code="early-help-panel"),
    )
    referral.refresh_from_db()
    case = case_services.case_open(
        actor=w.duty_manager, family=referral.family, level_of_need=w.level3, panel_route=PanelRoute.FRONT_DOOR
    )
    (request,) = front_door_services.case_information_requests_create(
        actor=w.panel_coordinator,
        case=case,
        agencies=[w.health],
        question=QUESTION,
        due_at=timezone.now() + datetime.timedelta(days=3),
    )
    front_door_services.information_request_answer(actor=w.health_practitioner, request=request, answer=ANSWER)
    case.refresh_from_db()
    return case


@pytest.fixture
def held(world, meeting_now):
    """A meeting with two cases on its agenda (one from the front door), both decided, one decision
    amended, attendance recorded and an action."""
    w = world
    first = services.agenda_add(actor=w.panel_coordinator, meeting=meeting_now, case=front_door_case(w))
    second = services.agenda_add(actor=w.panel_coordinator, meeting=meeting_now, case=waiting_case(w))
    decision = services.decision_record(
        actor=w.panel_coordinator,
        item=first,
        outcome=PanelOutcome.ALLOCATE,
        lead_agency=w.council,
        team=w.team,
        threshold_confirmed=True,
        reason="Level 3 confirmed: attendance and housing.",
    )
    services.decision_amend(
        actor=w.panel_coordinator,
        decision=decision,
        amendment_reason="The team was recorded wrongly.",
        reason="Level 3 confirmed: attendance, housing and health.",
    )
    services.decision_record(
        actor=w.panel_coordinator,
        item=second,
        outcome=PanelOutcome.DEFER,
        reason="Needs the school's view first.",
    )
    services.attendance_record(
        actor=w.panel_coordinator,
        meeting=meeting_now,
        statuses={w.school_member.pk: Attendance.Status.PRESENT, w.health_member.pk: Attendance.Status.APOLOGIES},
    )
    services.action_add(
        actor=w.panel_coordinator,
        meeting=meeting_now,
        description="Ask the school for attendance figures",
        owner=w.school_practitioner,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        item=first,
    )
    services.meeting_complete(actor=w.panel_coordinator, meeting=meeting_now, notes="Next meeting in the hall.")
    meeting_now.refresh_from_db()
    return meeting_now


def agenda_url(meeting: Meeting) -> str:
    return reverse("panels:agenda-pdf", args=[meeting.pk])


def minutes_url(meeting: Meeting) -> str:
    return reverse("panels:minutes-pdf", args=[meeting.pk])


# --- The agenda and its papers ---------------------------------------------------------------------


def test_the_coordinator_prints_the_agenda_with_names_decisions_and_answers(world, held, client_for):
    first, second = held.items.order_by("position")

    response = client_for(world.panel_coordinator).get(agenda_url(held))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = timezone.localtime(held.starts_at).date()
    assert response["Content-Disposition"] == f'attachment; filename="north-early-help-panel-agenda-{day:%Y-%m-%d}.pdf"'
    assert "no-store" in response["Cache-Control"]
    content = text(response.content)
    local = timezone.localtime(held.starts_at)
    assert "North Early Help Panel" in content
    assert f"{local:%A} {local.day} {local:%B %Y} at {govuk_time(local)}" in content
    assert "North Family Hub" in content
    assert "Hill School" in content and "Health Visiting" in content
    assert first.case.reference in content and second.case.reference in content
    assert first.case.family.name in content and second.case.family.name in content
    assert "Amara Okafor" in content and "17 May 2016" in content
    assert "Grace Okafor 3 February 1988 Mother Has parental responsibility" in content
    assert "12 Mill Lane" in content
    assert "Front door decision to the panel" in content
    assert REASON in content
    assert QUESTION in content and ANSWER in content
    assert "not agreed to share" not in content


def test_each_items_papers_start_on_a_new_page(world, held):
    first, second = held.items.order_by("position")

    texts = pages(agenda_pdf(user=world.panel_coordinator, meeting=held))

    starts = [n for n, page in enumerate(texts) if re.search(r"Item \d of 2", page)]
    assert len(starts) == 2
    assert texts[starts[0]].split("Item 1 of 2")[1].strip().startswith(first.case.reference)
    assert texts[starts[1]].split("Item 2 of 2")[1].strip().startswith(second.case.reference)
    assert starts[0] > 0


def test_every_page_is_marked_and_numbered(world, held):
    texts = pages(agenda_pdf(user=world.panel_coordinator, meeting=held))

    assert len(texts) >= 3
    for number, page in enumerate(texts, start=1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2, page
        assert f"Page {number} of {len(texts)}" in page


@pytest.mark.parametrize("kind", ["agenda", "minutes"])
def test_the_papers_are_tagged_pdfs_with_language_and_title(world, held, kind):
    pdf = (agenda_pdf if kind == "agenda" else minutes_pdf)(user=world.panel_coordinator, meeting=held)

    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]

    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    expected = "North Early Help Panel: agenda and papers" if kind == "agenda" else "North Early Help Panel: minutes"
    assert reader.metadata["/Title"] == expected
    assert reader.metadata["/Author"] == "Exampleshire Council"


def test_a_member_whose_agency_has_no_consent_sees_no_family(world, held, client_for):
    first, second = held.items.order_by("position")

    response = client_for(world.health_practitioner).get(agenda_url(held))

    assert response.status_code == 200
    content = text(response.content)
    assert "The family has not agreed to share its details with your agency (Health Visiting)" in content
    assert content.count("not agreed to share") == 2
    assert content.count("Not shared with your agency") == 2
    for item in (first, second):
        assert item.case.reference in content
        assert item.case.family.name not in content
    # The families' people, by name (a user of the same name, such as who decided, may be shown).
    users = {user.get_full_name() for user in User.objects.all()}
    people = {f"{p.first_name} {p.last_name}" for item in (first, second) for p in item.case.family.people.all()}
    assert people and [name for name in people - users if name in content] == []
    assert [
        item.case.family.address_line_1 for item in (first, second) if item.case.family.address_line_1 in content
    ] == []
    assert REASON not in content and ANSWER not in content
    assert not AccessLog.objects.filter(user=world.health_practitioner, record_type=AGENDA_RECORD).exists()


def test_a_member_sees_the_family_that_agreed_to_share_with_their_agency(world, held):
    """The second family agreed to share with the school: the school's member reads its papers, and
    still not the first family's."""
    first, second = held.items.order_by("position")
    family = second.case.family
    adult = family.people.get(kind="adult")
    case_services.consent_record(
        actor=world.duty_manager,
        family=family,
        person=adult,
        scope=Consent.Scope.SHARING,
        status=Consent.Status.GIVEN,
        evidence=Consent.Evidence.WRITTEN,
        decided_on=timezone.localdate(),
        agency=world.school,
    )

    content = text(agenda_pdf(user=world.school_practitioner, meeting=held))

    assert family.name in content and adult.full_name in content
    # The first family's own details (names the two synthetic families happen to share aside).
    hidden = first.case.family
    shown = {person.full_name for person in family.people.all()} | {family.name}
    shown |= {user.get_full_name() for user in User.objects.all()}
    # As a whole address: the factories number them, and "1 Mill Lane" is inside "11 Mill Lane".
    assert re.search(rf"(?<!\d){re.escape(hidden.address_line_1)}", content) is None
    assert [
        name for name in {hidden.name, *(p.full_name for p in hidden.people.all())} - shown if name in content
    ] == []
    assert content.count("not agreed to share") == 1
    logged = AccessLog.objects.filter(user=world.school_practitioner, record_type=AGENDA_RECORD)
    assert [(log.action, log.case_id) for log in logged] == [(AccessLog.Action.PRINT, second.case_id)]


def test_a_coordinator_of_another_locality_gets_404(world, held, client_for):
    south = UserFactory(
        username="south-panel",
        agency=world.council,
        team=TeamFactory(name="South Panel", agency=world.council, locality=world.south),
        roles=[Role.PANEL_COORDINATOR],
    )

    assert client_for(south).get(agenda_url(held)).status_code == 404
    assert client_for(south).get(minutes_url(held)).status_code == 404
    assert not AccessLog.objects.filter(user=south, action=AccessLog.Action.PRINT).exists()


def test_printing_the_agenda_logs_a_print_per_visible_case(world, held, client_for):
    first, second = held.items.order_by("position")

    client_for(world.panel_coordinator).get(agenda_url(held))

    logs = AccessLog.objects.filter(user=world.panel_coordinator, record_type=AGENDA_RECORD)
    assert sorted((log.action, log.record_id, log.case_id) for log in logs) == sorted(
        [(AccessLog.Action.PRINT, first.pk, first.case_id), (AccessLog.Action.PRINT, second.pk, second.case_id)]
    )
    assert {log.path for log in logs} == {agenda_url(held)}


def test_an_empty_agenda_prints(world, upcoming, client_for):
    response = client_for(world.panel_coordinator).get(agenda_url(upcoming[0]))

    assert response.status_code == 200
    assert "There are no cases on the agenda." in text(response.content)


# --- The minutes ------------------------------------------------------------------------------------


def test_the_minutes_show_attendance_decisions_amendments_actions_and_notes(world, held, client_for):
    first, second = held.items.order_by("position")

    response = client_for(world.panel_coordinator).get(minutes_url(held))

    assert response.status_code == 200
    day = timezone.localtime(held.starts_at).date()
    assert (
        response["Content-Disposition"] == f'attachment; filename="north-early-help-panel-minutes-{day:%Y-%m-%d}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    texts = pages(response.content)
    content = " ".join(texts)
    assert all(page.count("OFFICIAL-SENSITIVE") >= 2 for page in texts)
    present = content.index("Present")
    apologies = content.index("Apologies")
    assert present < content.index(world.school_practitioner.get_full_name()) < apologies
    assert apologies < content.index(world.health_practitioner.get_full_name())
    assert "Decision: Allocate a lead agency" in content
    assert "Level 3 confirmed: attendance and housing." in content  # the first decision is kept
    amended = re.search(
        r"Amended on (\d+ \w+ \d{4} at [\d:]+[ap]m) by ([^:]+): The team was recorded wrongly\.", content
    )
    assert amended, content
    assert amended[2] == world.panel_coordinator.get_full_name()
    assert "Level 3 confirmed: attendance, housing and health." in content
    assert "Decision: Defer to the next meeting" in content and "Needs the school's view first." in content
    assert "Ask the school for attendance figures" in content
    assert "Not done" in content
    assert "Next meeting in the hall." in content
    assert first.case.family.name in content and second.case.family.name in content
    assert (
        AccessLog.objects.filter(
            user=world.panel_coordinator, action=AccessLog.Action.PRINT, record_type=AGENDA_RECORD
        ).count()
        == 2
    )


def test_the_minutes_mask_what_a_member_may_not_see(world, held, client_for):
    first, second = held.items.order_by("position")

    content = text(client_for(world.health_practitioner).get(minutes_url(held)).content)

    assert "Decision: Allocate a lead agency" in content
    assert "Amended on" in content
    assert "The team was recorded wrongly." not in content
    assert "Level 3 confirmed" not in content and "school's view" not in content
    assert "Ask the school for attendance figures" not in content
    for item in (first, second):
        assert item.case.reference in content and item.case.family.name not in content
    assert "not agreed to share" in content
    assert not AccessLog.objects.filter(user=world.health_practitioner, record_type=AGENDA_RECORD).exists()


def test_the_action_owner_reads_their_action(world, held):
    content = text(minutes_pdf(user=world.school_practitioner, meeting=held))

    assert "Ask the school for attendance figures" in content


# --- Size and queries -------------------------------------------------------------------------------


def _agenda_of(world, meeting, n: int) -> None:
    for _ in range(n):
        services.agenda_add(actor=world.panel_coordinator, meeting=meeting, case=waiting_case(world))


def _queries(render, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        render(**kwargs)
    return len(queries)


@pytest.mark.parametrize("render", [agenda_pdf, minutes_pdf])
def test_the_papers_take_the_same_queries_however_many_items(world, upcoming, render, django_assert_max_num_queries):
    small, large = upcoming[0], upcoming[1]
    _agenda_of(world, small, 1)
    _agenda_of(world, large, 4)
    for meeting in (small, large):
        meeting.refresh_from_db()
        meeting.panel  # noqa: B018 (as the view has it)

    assert _queries(render, user=world.panel_coordinator, meeting=small) == _queries(
        render, user=world.panel_coordinator, meeting=large
    )
    with django_assert_max_num_queries(12):
        render(user=world.panel_coordinator, meeting=large)


def test_twenty_items_render(world, upcoming):
    meeting = upcoming[0]
    _agenda_of(world, meeting, 20)

    texts = pages(agenda_pdf(user=world.panel_coordinator, meeting=meeting))

    assert len(texts) >= 21
    assert sum("Item " in page and " of 20" in page for page in texts) >= 20
    assert all("OFFICIAL-SENSITIVE" in page for page in texts)
    assert AccessLog.objects.filter(user=world.panel_coordinator, record_type=AGENDA_RECORD).count() == 20

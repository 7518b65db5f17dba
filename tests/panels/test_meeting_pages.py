"""The meeting pages of the Early Help Panel: the meeting with its agenda, the coordinator's changes to
the agenda, moving and cancelling, attendance, decisions and their amendments, actions, completion."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import AccessLog, CaseStatus, ClosureReason, Notification, Person
from panels import services
from panels.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingAction,
    MeetingStatus,
    PanelDecision,
    PanelOutcome,
)
from panels.words import when_words
from tests.panels.conftest import waiting_case


def meeting_url(meeting, name="panels:meeting", *args):
    return reverse(name, args=[meeting.pk, *args])


def page(response) -> str:
    return response.content.decode()


def main(response) -> str:
    return page(response).split("<main", 1)[1]


def on_agenda(w, meeting, n=1, **kwargs):
    return [
        services.agenda_add(actor=w.panel_coordinator, meeting=meeting, case=waiting_case(w, **kwargs))
        for _ in range(n)
    ]


def share_with(w, case, agency):
    case_services.consent_record(
        actor=w.duty_manager,
        family=case.family,
        person=Person.objects.filter(memberships__family_id=case.family_id, kind=Person.Kind.ADULT).first(),
        scope="sharing",
        status="given",
        agency=agency,
        evidence="written",
        decided_on=timezone.localdate(),
    )


def follow(client, url, data=None):
    return client.post(url, data or {}, follow=True)


# --- The meeting page ----------------------------------------------------------------------------


def test_the_meeting_page_shows_when_where_and_the_agenda_in_order(world, client_for, meeting_now):
    w = world
    first, second = on_agenda(w, meeting_now, 2)

    response = client_for(w.panel_coordinator).get(meeting_url(meeting_now))

    assert response.status_code == 200
    content = main(response)
    assert f"North Early Help Panel: {when_words(meeting_now.starts_at)}</h1>" in content
    assert "North Family Hub" in content
    assert 'class="app-table-scroll"' in content
    assert content.index(first.case.reference) < content.index(second.case.reference)
    assert first.case.family.name in content
    assert "Front door decision to the panel" in content
    assert content.count("No decision yet") == 2
    assert reverse("cases:case-detail", args=[first.case_id]) in content
    for words in ("Move down", "Remove", "Record decision", "Send the agenda to members", "Move this meeting"):
        assert words in content
    assert "Cancel this meeting" in content and "Complete the meeting" in content


def test_the_meeting_page_links_to_its_printed_agenda_and_a_held_meetings_minutes(world, client_for, meeting_now):
    w = world
    item = on_agenda(w, meeting_now)[0]
    client = client_for(w.school_practitioner)
    assert reverse("panels:agenda-pdf", args=[meeting_now.pk]) in main(client.get(meeting_url(meeting_now)))
    assert reverse("panels:minutes-pdf", args=[meeting_now.pk]) not in main(client.get(meeting_url(meeting_now)))

    services.decision_record(actor=w.panel_coordinator, item=item, outcome=PanelOutcome.DEFER, reason="Wait.")
    services.meeting_complete(actor=w.panel_coordinator, meeting=meeting_now, notes="Short meeting")

    content = main(client.get(meeting_url(meeting_now)))
    assert reverse("panels:minutes-pdf", args=[meeting_now.pk]) in content
    assert "Short meeting" in content and "Held" in content


def test_a_members_meeting_page_takes_a_fixed_number_of_queries(
    world, client_for, meeting_now, django_assert_max_num_queries
):
    w = world
    for item in on_agenda(w, meeting_now, 10):
        share_with(w, item.case, w.school)
    client = client_for(w.school_practitioner)

    # The session and user, the meeting (with the user's permissions on its panel, no query of
    # their own), the agenda's items, cases and decisions, the access log, attendance and actions.
    with django_assert_max_num_queries(8):
        response = client.get(meeting_url(meeting_now))

    assert "Not shared with your agency" not in main(response)


def test_the_meeting_page_logs_the_family_details_it_showed(world, client_for, meeting_now):
    w = world
    item = on_agenda(w, meeting_now)[0]

    client_for(w.panel_coordinator).get(meeting_url(meeting_now))

    log = AccessLog.objects.get(record_type="panel_agenda", user=w.panel_coordinator)
    assert (log.record_id, log.case_id) == (item.pk, item.case_id)


def test_the_meeting_page_takes_a_fixed_number_of_queries(
    world, client_for, meeting_now, django_assert_max_num_queries
):
    w = world
    items = on_agenda(w, meeting_now, 20)
    decision = services.decision_record(
        actor=w.panel_coordinator, item=items[0], outcome=PanelOutcome.DEFER, reason="School report needed."
    )
    services.action_add(
        actor=w.panel_coordinator,
        meeting=meeting_now,
        description="Ask the GP",
        owner=w.health_practitioner,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        item=items[1],
    )
    extra = waiting_case(w)
    client = client_for(w.panel_coordinator)

    # As a member's page, and the cases waiting to be added: 9 of the benchmark's budget of 12.
    with django_assert_max_num_queries(9):
        response = client.get(meeting_url(meeting_now))

    content = main(response)
    assert content.count("No decision yet") == 19
    assert reverse("panels:decision-amend", args=[decision.pk]) in content and "Ask the GP" in content
    assert f'<option value="{extra.pk}">{extra.reference}: {extra.family.name}</option>' in content
    assert content.count("<option value=") == 2  # "Select a case" and the one case on no agenda


def test_a_member_sees_a_familys_name_only_where_the_family_agreed_to_share_with_their_agency(
    world, client_for, meeting_now
):
    w = world
    shared, private = on_agenda(w, meeting_now, 2)
    for item, name in ((shared, "Achterberg family"), (private, "Okonkwo family")):
        item.case.family.name = name
        item.case.family.save(update_fields=["name"])
    share_with(w, shared.case, w.school)

    response = client_for(w.school_practitioner).get(meeting_url(meeting_now))

    content = main(response)
    assert response.status_code == 200
    assert shared.case.family.name in content
    assert private.case.family.name not in content
    assert content.count("Not shared with your agency") == 1
    assert [
        log.case_id for log in AccessLog.objects.filter(record_type="panel_agenda", user=w.school_practitioner)
    ] == [shared.case_id]


def test_a_member_sees_the_agenda_read_only(world, client_for, meeting_now):
    w = world
    on_agenda(w, meeting_now, 2)

    content = main(client_for(w.health_practitioner).get(meeting_url(meeting_now)))

    for words in ("Move up", "Move down", ">Remove", "Record decision", "Send the agenda", "Move this meeting"):
        assert words not in content
    assert "Select a case" not in content
    assert content.count("No decision yet") == 2


def test_a_moved_and_a_cancelled_meeting_say_so(world, client_for, upcoming):
    w = world
    moved, cancelled = upcoming[0], upcoming[1]
    services.meeting_move(
        actor=w.panel_coordinator,
        meeting=moved,
        starts_at=moved.starts_at + datetime.timedelta(days=1),
        reason="The hub is closed for training",
    )
    services.meeting_cancel(actor=w.panel_coordinator, meeting=cancelled, reason="Too few members available")
    client = client_for(w.panel_coordinator)

    moved_page = main(client.get(meeting_url(moved)))
    cancelled_page = main(client.get(meeting_url(cancelled)))

    assert "Moved from" in moved_page and "The hub is closed for training" in moved_page
    assert "govuk-notification-banner" in cancelled_page and "Too few members available" in cancelled_page
    assert "Move this meeting" not in cancelled_page


# --- The agenda ------------------------------------------------------------------------------------


def test_a_coordinator_adds_a_waiting_case_from_the_meeting_page(world, client_for, upcoming):
    w = world
    meeting = upcoming[0]
    case = waiting_case(w)
    client = client_for(w.panel_coordinator)
    form = main(client.get(meeting_url(meeting)))
    assert f'<option value="{case.pk}">{case.reference}: {case.family.name}</option>' in form

    response = follow(client, meeting_url(meeting, "panels:agenda-add"), {"case": str(case.pk)})

    assert AgendaItem.objects.filter(meeting=meeting, case=case).exists()
    content = main(response)
    assert "govuk-notification-banner--success" in content
    assert f"Case {case.reference} added to the agenda" in content
    assert f'<option value="{case.pk}">' not in content  # no longer offered


@pytest.mark.parametrize("value", ["", "abc", "١٢", "12 ", "-3"])
def test_an_id_that_is_not_ascii_digits_is_refused_with_a_message(world, client_for, upcoming, value):
    response = client_for(world.panel_coordinator).post(meeting_url(upcoming[0], "panels:agenda-add"), {"case": value})

    assert response.status_code == 400
    assert "Select a case waiting for the panel" in main(response)
    assert not AgendaItem.objects.filter(meeting=upcoming[0]).exists()


def test_a_case_already_on_another_agenda_is_refused_with_the_services_message_and_kept_selected(
    world, client_for, upcoming
):
    w = world
    item = on_agenda(w, upcoming[0])[0]

    response = client_for(w.panel_coordinator).post(
        meeting_url(upcoming[1], "panels:agenda-add"), {"case": str(item.case_id)}
    )

    content = main(response)
    assert "govuk-error-summary" in content
    assert f"{item.case.reference} is already on the agenda of" in content
    assert not AgendaItem.objects.filter(meeting=upcoming[1]).exists()


def test_a_case_of_another_locality_is_not_added(world, client_for, upcoming):
    case = waiting_case(world, locality=world.south)

    response = client_for(world.panel_coordinator).post(
        meeting_url(upcoming[0], "panels:agenda-add"), {"case": str(case.pk)}
    )

    assert response.status_code == 400
    assert case.reference not in main(response)
    assert not AgendaItem.objects.filter(case=case).exists()


def test_a_coordinator_moves_and_removes_items(world, client_for, upcoming):
    w = world
    meeting = upcoming[0]
    first, second, third = on_agenda(w, meeting, 3)
    client = client_for(w.panel_coordinator)

    moved = follow(client, meeting_url(meeting, "panels:agenda-move", third.pk), {"direction": "up"})
    assert f"Case {third.case.reference} moved up the agenda" in main(moved)
    assert list(meeting.items.order_by("position").values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]

    follow(client, meeting_url(meeting, "panels:agenda-move", first.pk), {"direction": "down"})
    assert list(meeting.items.order_by("position").values_list("pk", flat=True)) == [third.pk, first.pk, second.pk]

    removed = follow(client, meeting_url(meeting, "panels:agenda-remove", first.pk))
    assert f"Case {first.case.reference} removed from the agenda" in main(removed)
    assert list(meeting.items.order_by("position").values_list("pk", "position")) == [(third.pk, 1), (second.pk, 2)]
    first.case.refresh_from_db()
    assert first.case.panel_route  # still waiting


def test_a_move_without_a_direction_is_refused(world, client_for, upcoming):
    item = on_agenda(world, upcoming[0])[0]

    response = client_for(world.panel_coordinator).post(
        meeting_url(upcoming[0], "panels:agenda-move", item.pk), {"direction": "sideways"}
    )

    assert response.status_code == 400
    assert "Select to move the case up or down" in main(response)


def test_an_item_of_another_meeting_is_not_found(world, client_for, upcoming):
    item = on_agenda(world, upcoming[0])[0]
    client = client_for(world.panel_coordinator)

    assert client.post(meeting_url(upcoming[1], "panels:agenda-remove", item.pk)).status_code == 404
    assert client.get(meeting_url(upcoming[1], "panels:decision", item.pk)).status_code == 404
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_a_decided_item_cannot_be_removed(world, client_for, meeting_now):
    w = world
    item = on_agenda(w, meeting_now)[0]
    services.decision_record(actor=w.panel_coordinator, item=item, outcome=PanelOutcome.DEFER, reason="More needed.")

    response = client_for(w.panel_coordinator).post(meeting_url(meeting_now, "panels:agenda-remove", item.pk))

    assert "The panel has decided on this case: it stays on the agenda." in main(response)
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_sending_the_agenda_tells_the_members_and_says_when(world, client_for, upcoming):
    w = world
    meeting = upcoming[0]
    on_agenda(w, meeting)

    response = follow(client_for(w.panel_coordinator), meeting_url(meeting, "panels:agenda-send"))

    assert "Agenda sent to 2 members" in main(response)
    meeting.refresh_from_db()
    assert meeting.agenda_sent_at is not None
    assert "Last sent" in main(response)
    assert Notification.objects.filter(subject__startswith="Agenda:").count() == 2


def test_sending_an_empty_agenda_is_refused(world, client_for, upcoming):
    response = client_for(world.panel_coordinator).post(meeting_url(upcoming[0], "panels:agenda-send"))

    assert "Add cases to the agenda before sending it." in main(response)
    assert "govuk-error-summary" in main(response)


# --- Moving and cancelling -----------------------------------------------------------------------


def test_a_coordinator_moves_a_meeting(world, client_for, upcoming):
    meeting = upcoming[0]
    new_day = timezone.localdate(meeting.starts_at) + datetime.timedelta(days=2)
    client = client_for(world.panel_coordinator)
    form = main(client.get(meeting_url(meeting, "panels:meeting-move")))
    assert "What is the new date?" in form and 'value="10am"' in form
    assert f'value="{timezone.localdate(meeting.starts_at).year}"' in form

    response = follow(
        client,
        meeting_url(meeting, "panels:meeting-move"),
        {
            "date_0": str(new_day.day),
            "date_1": str(new_day.month),
            "date_2": str(new_day.year),
            "time": "2:30pm",
            "reason": "Room booked",
        },
    )

    meeting.refresh_from_db()
    local = timezone.localtime(meeting.starts_at)
    assert (local.date(), local.hour, local.minute) == (new_day, 14, 30)
    assert f"Meeting moved to {local:%A %-d %B %Y} at 2:30pm" in main(response)


def test_moving_keeps_what_was_typed_when_something_is_wrong(world, client_for, upcoming):
    meeting = upcoming[0]
    response = client_for(world.panel_coordinator).post(
        meeting_url(meeting, "panels:meeting-move"),
        {"date_0": "31", "date_1": "2", "date_2": "2027", "time": "25 o'clock", "reason": "Room booked elsewhere"},
    )

    content = main(response)
    assert "The new date must be a real date" in content
    assert "Enter a real time, for example 10am or 2:30pm" in content
    assert "Room booked elsewhere" in content and 'value="25 o&#x27;clock"' in content
    meeting.refresh_from_db()
    assert meeting.moved_from is None


def test_a_meeting_cannot_move_into_the_past(world, client_for, upcoming):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client_for(world.panel_coordinator).post(
        meeting_url(upcoming[0], "panels:meeting-move"),
        {"date_0": yesterday.day, "date_1": yesterday.month, "date_2": yesterday.year, "time": "10am", "reason": "x"},
    )

    assert "Enter a date and time in the future" in main(response)


def test_cancelling_warns_that_the_agenda_goes_to_the_next_meeting_and_moves_it(world, client_for, upcoming):
    w = world
    meeting = upcoming[0]
    item = on_agenda(w, meeting)[0]
    client = client_for(w.panel_coordinator)

    form = main(client.get(meeting_url(meeting, "panels:meeting-cancel")))
    assert "The 1 case on its agenda goes to the next meeting" in form

    blank = client.post(meeting_url(meeting, "panels:meeting-cancel"), {"reason": " "})
    assert "Enter why the meeting is cancelled" in main(blank)

    response = follow(client, meeting_url(meeting, "panels:meeting-cancel"), {"reason": "Chair unwell"})

    assert "Meeting cancelled" in main(response)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == (MeetingStatus.CANCELLED, "Chair unwell")
    assert AgendaItem.objects.filter(case=item.case, meeting=upcoming[1]).exists()


# --- Attendance --------------------------------------------------------------------------------------


def test_attendance_is_one_fieldset_per_member_and_is_saved(world, client_for, meeting_now):
    w = world
    client = client_for(w.panel_coordinator)
    url = meeting_url(meeting_now, "panels:attendance")

    form = main(client.get(url))
    assert form.count('<fieldset class="govuk-fieldset"') == 2
    for words in ("Present", "Sent apologies", "Absent"):
        assert words in form

    missing = client.post(url, {f"member_{w.school_member.pk}": "present"})
    assert "Select whether" in main(missing)
    assert re.search(r'value="present"\s+checked', main(missing))

    response = follow(
        client, url, {f"member_{w.school_member.pk}": "present", f"member_{w.health_member.pk}": "apologies"}
    )

    assert "Attendance saved" in main(response)
    assert dict(Attendance.objects.filter(meeting=meeting_now).values_list("member_id", "status")) == {
        w.school_member.pk: "present",
        w.health_member.pk: "apologies",
    }
    assert "Sent apologies" in main(response)


# --- Decisions -----------------------------------------------------------------------------------------


def decide(client, meeting, item, data):
    return follow(client, meeting_url(meeting, "panels:decision", item.pk), data)


def test_the_decision_page_summarises_the_case_for_the_panel(world, client_for, meeting_now):
    w = world
    case = waiting_case(w)
    case_services.chronology_record(
        family=case.family, case=case, event="note", actor=w.duty_manager, summary="Housing officer called"
    )
    item = services.agenda_add(actor=w.panel_coordinator, meeting=meeting_now, case=case)

    response = client_for(w.panel_coordinator).get(meeting_url(meeting_now, "panels:decision", item.pk))

    content = main(response)
    assert response.status_code == 200
    assert case.family.name in content and case.reference in content
    assert w.level3.name in content and "Front door decision to the panel" in content
    assert "Housing officer called" in content
    assert "What partner agencies told us" in content
    assert AccessLog.objects.filter(record_type="panel_agenda", case_id=case.pk, user=w.panel_coordinator).exists()


def test_the_decision_pages_revealed_questions_are_in_the_html_with_the_reveal_attributes(
    world, client_for, meeting_now
):
    item = on_agenda(world, meeting_now)[0]

    content = main(client_for(world.panel_coordinator).get(meeting_url(meeting_now, "panels:decision", item.pk)))

    assert 'data-module="govuk-radios"' in content
    for position, names in enumerate(
        (
            ["lead_agency", "team", "threshold_confirmed", "allocate_reason"],
            ["not_for_panel_route", "closure_reason", "not_for_panel_reason"],
            ["defer_reason"],
            ["step_up_reason"],
        ),
        start=1,
    ):
        assert f'data-aria-controls="conditional-id_outcome_{position}"' in content
        block = content.split(f'id="conditional-id_outcome_{position}"', 1)[1].split("govuk-radios__conditional", 1)[0]
        assert 'class="govuk-radios__conditional govuk-radios__conditional--hidden"' in content
        for name in names:
            assert f'name="{name}"' in block
    assert "Select an agency" in content and "Select a team" in content
    assert f"{world.team.name}, {world.council.name}" in content
    assert "The panel confirmed the family's needs meet level 3" in content
    assert "What is needed before the next meeting" in content
    assert "The safeguarding concern for the front door" in content


def test_allocating_through_the_page_gives_the_case_its_lead_agency(world, client_for, meeting_now):
    w = world
    item = on_agenda(w, meeting_now)[0]
    client = client_for(w.panel_coordinator)

    response = decide(
        client,
        meeting_now,
        item,
        {
            "outcome": "allocate",
            "lead_agency": str(w.council.pk),
            "team": str(w.team.pk),
            "threshold_confirmed": "on",
            "allocate_reason": "Attendance and housing",
            "defer_reason": "typed under another option without JavaScript",
        },
    )

    assert "Lead agency allocated" in main(response)
    item.case.refresh_from_db()
    assert (item.case.status, item.case.lead_agency, item.case.team) == (
        CaseStatus.AWAITING_LEAD_PROFESSIONAL,
        w.council,
        w.team,
    )
    decision = PanelDecision.objects.get(item=item)
    assert decision.reason == "Attendance and housing"
    assert f"Lead agency {w.council.name} ({w.team.name})" in main(response)
    case_page = main(client.get(reverse("cases:case-detail", args=[item.case_id])))
    assert w.council.name in case_page


def test_an_allocation_without_the_level_3_confirmation_keeps_what_was_typed(world, client_for, meeting_now):
    w = world
    item = on_agenda(w, meeting_now)[0]

    response = client_for(w.panel_coordinator).post(
        meeting_url(meeting_now, "panels:decision", item.pk),
        {"outcome": "allocate", "lead_agency": str(w.council.pk), "allocate_reason": "Housing worries"},
    )

    content = main(response)
    assert "Confirm the family&#x27;s needs meet level 3 before allocating" in content
    assert f'<option value="{w.council.pk}" selected>' in content
    assert "Housing worries" in content
    assert re.search(r'value="allocate"\s+checked', content)
    assert not PanelDecision.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Select the panel&#x27;s decision"),
        ({"outcome": "allocate", "threshold_confirmed": "on"}, "Select the lead agency the panel agreed"),
        ({"outcome": "not_for_panel", "not_for_panel_reason": "x"}, "Select where the family goes instead"),
        ({"outcome": "defer"}, "Enter what is needed before the next meeting"),
        ({"outcome": "step_up", "defer_reason": "wrong box"}, "Enter the safeguarding concern for the front door"),
    ],
)
def test_a_decision_missing_its_answers_is_refused_with_the_words_of_the_service(
    world, client_for, meeting_now, data, message
):
    item = on_agenda(world, meeting_now)[0]

    response = client_for(world.panel_coordinator).post(meeting_url(meeting_now, "panels:decision", item.pk), data)

    assert message in main(response)
    assert "govuk-error-summary" in main(response)
    assert not PanelDecision.objects.exists()


def test_not_for_the_panel_through_the_page_closes_the_case(world, client_for, meeting_now):
    w = world
    item = on_agenda(w, meeting_now)[0]
    reason = ClosureReason.objects.active().first()

    response = decide(
        client_for(w.panel_coordinator),
        meeting_now,
        item,
        {
            "outcome": "not_for_panel",
            "not_for_panel_route": "universal",
            "closure_reason": str(reason.pk),
            "not_for_panel_reason": "Needs met by the school",
        },
    )

    assert f"Decision recorded: {item.case.reference} is not for the panel" in main(response)
    item.case.refresh_from_db()
    assert item.case.status == CaseStatus.CLOSED
    assert item.case.closure_reason == reason
    assert "Not for the panel: universal services" in main(response)


def test_deferring_through_the_page_puts_the_case_on_the_next_meeting(world, client_for, meeting_now, upcoming):
    w = world
    item = on_agenda(w, meeting_now)[0]

    response = decide(
        client_for(w.panel_coordinator), meeting_now, item, {"outcome": "defer", "defer_reason": "School report"}
    )

    assert f"Decision recorded: {item.case.reference} is deferred to the next meeting" in main(response)
    assert AgendaItem.objects.filter(case=item.case, meeting=upcoming[0]).exists()
    item.case.refresh_from_db()
    assert item.case.status == CaseStatus.AWAITING_ALLOCATION
    assert PanelDecision.objects.get(item=item).reason == "School report"


def test_stepping_up_through_the_page_sends_the_family_to_the_front_door(world, client_for, meeting_now):
    from front_door.models import Referral

    w = world
    item = on_agenda(w, meeting_now)[0]

    response = decide(
        client_for(w.panel_coordinator),
        meeting_now,
        item,
        {"outcome": "step_up", "step_up_reason": "Bruising seen at school"},
    )

    assert "stepped up to the front door as a safeguarding concern" in main(response)
    item.case.refresh_from_db()
    assert item.case.status == CaseStatus.CLOSED
    assert Referral.objects.filter(concerns__contains="Bruising seen at school").exists()


def test_a_decision_cannot_be_recorded_twice(world, client_for, meeting_now):
    w = world
    item = on_agenda(w, meeting_now)[0]
    services.decision_record(actor=w.panel_coordinator, item=item, outcome=PanelOutcome.DEFER, reason="Wait.")
    client = client_for(w.panel_coordinator)

    shown = main(client.get(meeting_url(meeting_now, "panels:decision", item.pk)))
    assert "Amend this decision" in shown and 'name="outcome"' not in shown

    again = client.post(meeting_url(meeting_now, "panels:decision", item.pk), {"outcome": "defer", "defer_reason": "x"})
    assert "amend the decision to change it" in main(again)
    assert PanelDecision.objects.filter(item=item).count() == 1


def test_before_the_meeting_its_page_offers_no_decisions_and_the_decision_page_shows_the_papers(
    world, client_for, upcoming
):
    item = on_agenda(world, upcoming[0])[0]
    client = client_for(world.panel_coordinator)

    meeting_page = main(client.get(meeting_url(upcoming[0])))
    decision_page = main(client.get(meeting_url(upcoming[0], "panels:decision", item.pk)))

    assert "Record decision" not in meeting_page and "Complete the meeting" not in meeting_page
    assert ">Remove" in meeting_page  # the agenda can still change
    assert 'name="outcome"' not in decision_page
    assert "you can record its decision from an hour before it starts" in decision_page
    assert "Summary for the panel" in decision_page


def test_a_decision_before_the_meeting_is_refused(world, client_for, upcoming):
    item = on_agenda(world, upcoming[0])[0]

    response = client_for(world.panel_coordinator).post(
        meeting_url(upcoming[0], "panels:decision", item.pk), {"outcome": "defer", "defer_reason": "School report"}
    )

    assert "Decisions are recorded at the meeting, not before it." in main(response)
    assert "School report" in main(response)


# --- Amendments ------------------------------------------------------------------------------------------


@pytest.fixture
def allocation(world, meeting_now):
    item = on_agenda(world, meeting_now)[0]
    return services.decision_record(
        actor=world.panel_coordinator,
        item=item,
        outcome=PanelOutcome.ALLOCATE,
        lead_agency=world.council,
        team=world.team,
        threshold_confirmed=True,
    )


def test_amending_an_allocation_changes_the_lead_agency_while_no_lead_professional_is_assigned(
    world, client_for, allocation, meeting_now
):
    w = world
    client = client_for(w.panel_coordinator)
    url = reverse("panels:decision-amend", args=[allocation.pk])

    form = main(client.get(url))
    assert "Select an agency" in form and f"Lead agency {w.council.name}" in form

    blank = client.post(url, {"reason": "kept", "lead_agency": str(w.health.pk)})
    assert "Enter why the decision is being amended" in main(blank)
    assert "kept" in main(blank)

    response = follow(client, url, {"amendment_reason": "Health visitor knows the family", "lead_agency": w.health.pk})

    assert "Decision amended" in main(response)
    amended = PanelDecision.objects.get(amends=allocation)
    assert (amended.lead_agency, amended.team, amended.amendment_reason) == (
        w.health,
        None,
        "Health visitor knows the family",
    )
    allocation.item.case.refresh_from_db()
    assert allocation.item.case.lead_agency == w.health
    content = main(client.get(meeting_url(meeting_now)))
    assert "Amended" in content and f"Lead agency {w.health.name}" in content


def test_an_allocation_with_a_lead_professional_amends_only_its_reason(world, client_for, allocation):
    w = world
    case = allocation.item.case
    case_services.case_assign_lead_professional(actor=w.team_manager, case=case, lead_professional=w.lead)
    client = client_for(w.panel_coordinator)
    url = reverse("panels:decision-amend", args=[allocation.pk])

    form = main(client.get(url))
    assert 'name="lead_agency"' not in form
    assert "the lead agency can no longer change" in form

    follow(client, url, {"amendment_reason": "Typo", "reason": "Housing and school", "lead_agency": w.health.pk})

    amended = PanelDecision.objects.get(amends=allocation)
    assert (amended.lead_agency, amended.reason) == (w.council, "Housing and school")


def test_an_amended_decision_is_amended_through_its_latest_amendment(world, client_for, allocation):
    amended = services.decision_amend(actor=world.panel_coordinator, decision=allocation, amendment_reason="Typo")

    response = client_for(world.panel_coordinator).get(reverse("panels:decision-amend", args=[allocation.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("panels:decision-amend", args=[amended.pk])


# --- Actions and completion ---------------------------------------------------------------------------


def test_a_coordinator_adds_an_action_and_its_owner_marks_it_done(world, client_for, meeting_now):
    w = world
    item = on_agenda(w, meeting_now)[0]
    client = client_for(w.panel_coordinator)
    url = meeting_url(meeting_now, "panels:action-add")
    due = timezone.localdate() + datetime.timedelta(days=7)

    form = main(client.get(url))
    assert "Select a person" in form and w.health_practitioner.get_full_name() in form
    assert w.lead.get_full_name() not in form  # not a member

    wrong = client.post(url, {"description": "Ask the GP", "owner": str(w.lead.pk)})
    assert "Select who will do it" in main(wrong) and "Enter the date it is due by" in main(wrong)
    assert "Ask the GP" in main(wrong)

    response = follow(
        client,
        url,
        {
            "description": "Ask the GP",
            "owner": str(w.health_practitioner.pk),
            "due_on_0": due.day,
            "due_on_1": due.month,
            "due_on_2": due.year,
            "item": str(item.pk),
        },
    )

    assert f"Action added for {w.health_practitioner.get_full_name()}, due {due:%-d %B %Y}" in main(response)
    action = MeetingAction.objects.get()
    assert (action.owner, action.item) == (w.health_practitioner, item)

    assert client_for(w.school_practitioner).post(reverse("panels:action-done", args=[action.pk])).status_code == 403
    owner = client_for(w.health_practitioner)
    assert "Mark as done" in main(owner.get(meeting_url(meeting_now)))
    done = follow(owner, reverse("panels:action-done", args=[action.pk]))
    assert "Action marked as done" in main(done)
    action.refresh_from_db()
    assert action.done_at is not None


def test_completing_is_refused_while_cases_are_undecided_then_done(world, client_for, meeting_now):
    w = world
    item = on_agenda(w, meeting_now)[0]
    client = client_for(w.panel_coordinator)
    url = meeting_url(meeting_now, "panels:meeting-complete")

    refused = client.post(url, {"notes": "Good discussion"})
    assert "1 case on the agenda still needs a decision." in main(refused)
    assert "Good discussion" in main(refused)

    services.decision_record(actor=w.panel_coordinator, item=item, outcome=PanelOutcome.DEFER, reason="Wait.")
    response = follow(client, url, {"notes": "Good discussion"})

    assert "Meeting completed" in main(response)
    meeting_now.refresh_from_db()
    assert (meeting_now.status, meeting_now.minutes_notes) == (MeetingStatus.HELD, "Good discussion")


# --- Who may -------------------------------------------------------------------------------------------


def every_url(meeting, item, decision, action):
    return [
        ("get", meeting_url(meeting)),
        ("post", meeting_url(meeting, "panels:agenda-add")),
        ("post", meeting_url(meeting, "panels:agenda-remove", item.pk)),
        ("post", meeting_url(meeting, "panels:agenda-move", item.pk)),
        ("post", meeting_url(meeting, "panels:agenda-send")),
        ("get", meeting_url(meeting, "panels:meeting-move")),
        ("get", meeting_url(meeting, "panels:meeting-cancel")),
        ("get", meeting_url(meeting, "panels:attendance")),
        ("get", meeting_url(meeting, "panels:decision", item.pk)),
        ("get", reverse("panels:decision-amend", args=[decision.pk])),
        ("get", meeting_url(meeting, "panels:action-add")),
        ("post", reverse("panels:action-done", args=[action.pk])),
        ("get", meeting_url(meeting, "panels:meeting-complete")),
    ]


@pytest.fixture
def records(world, meeting_now):
    w = world
    item, other = on_agenda(w, meeting_now, 2)
    decision = services.decision_record(actor=w.panel_coordinator, item=other, outcome="defer", reason="Wait.")
    action = services.action_add(
        actor=w.panel_coordinator,
        meeting=meeting_now,
        description="Ask the GP",
        owner=w.school_practitioner,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    return meeting_now, item, decision, action


def test_a_coordinator_of_another_locality_gets_404_on_every_page(world, client_for, records):
    from cases.models import Team
    from cases.roles import Role
    from tests.factories import UserFactory

    south_coordinator = UserFactory(
        username="south-panel",
        agency=world.council,
        team=Team.objects.create(name="South Panel", agency=world.council, locality=world.south),
        roles=[Role.PANEL_COORDINATOR],
    )
    client = client_for(south_coordinator)

    answers = {url: getattr(client, method)(url).status_code for method, url in every_url(*records)}

    assert set(answers.values()) == {404}


def test_a_member_cannot_post_or_open_the_coordinators_pages(world, client_for, records):
    meeting, item, decision, action = records
    client = client_for(world.health_practitioner)
    before = list(AgendaItem.objects.order_by("pk").values_list("pk", "position"))

    urls = [(method, url) for method, url in every_url(*records)[1:] if "/done/" not in url]
    answers = {url: getattr(client, method)(url).status_code for method, url in urls}

    assert set(answers.values()) == {404}
    assert client.post(reverse("panels:action-done", args=[action.pk])).status_code == 403
    assert list(AgendaItem.objects.order_by("pk").values_list("pk", "position")) == before
    assert client.get(meeting_url(meeting)).status_code == 200


def test_the_county_coordinator_runs_every_panel(world, client_for, records):
    meeting, item, _decision, _action = records

    response = client_for(world.county_coordinator).get(meeting_url(meeting, "panels:decision", item.pk))

    assert response.status_code == 200


def test_a_meeting_that_does_not_exist_is_not_found(world, client_for, panel):
    missing = (Meeting.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    assert client_for(world.panel_coordinator).get(reverse("panels:meeting", args=[missing])).status_code == 404


def test_the_pages_use_no_codes_for_people(world, client_for, records):
    meeting = records[0]

    content = main(client_for(world.panel_coordinator).get(meeting_url(meeting)))

    assert not re.search(r">\s*(front_door|not_for_panel|awaiting_allocation)\s*<", content)

"""The agenda PDF made ahead: when the agenda is sent and whenever it changes after, a task makes one
PDF per distinct content (the coordinator's, and the standing members' agencies'), and a download
serves the stored one made from its own user's HTML, else renders as before. Never a stale paper,
never another agency's; every download still in the access log."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import AccessLog, Consent
from panels import services
from panels import tasks as panel_tasks
from panels.models import AgendaPaper, Meeting, PanelOutcome
from panels.pdf import agenda_html
from panels.permissions import AGENDA_RECORD
from tests.panels.conftest import waiting_case
from tests.panels.test_pdfs import text


@pytest.fixture
def worker(monkeypatch):
    """The Celery worker: a queued `make_agenda_papers` runs as the worker would run it."""
    ran = []

    def delay(meeting_id, actor_id):
        ran.append(meeting_id)
        return panel_tasks.make_agenda_papers(meeting_id, actor_id)

    monkeypatch.setattr(panel_tasks.make_agenda_papers, "delay", delay)
    return ran


@pytest.fixture
def sent(world, upcoming, worker, django_capture_on_commit_callbacks):
    """An upcoming meeting with two cases on its agenda, the agenda sent and its papers made."""
    meeting = upcoming[0]
    for _ in range(2):
        services.agenda_add(actor=world.panel_coordinator, meeting=meeting, case=waiting_case(world))
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_send(actor=world.panel_coordinator, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def mark_stored(meeting) -> dict[str, bytes]:
    """Stand a marker for each stored paper's bytes, so a download shows whether it was served."""
    marks = {}
    for paper in AgendaPaper.objects.filter(meeting=meeting):
        paper.pdf = marks[paper.key] = f"stored paper {paper.key}".encode()
        paper.save(update_fields=["pdf"])
    return marks


def key_for(user, meeting) -> str:
    return agenda_html(user=user, meeting=meeting)[1]


def url(meeting) -> str:
    return reverse("panels:agenda-pdf", args=[meeting.pk])


def test_sending_the_agenda_makes_one_paper_per_distinct_content(world, sent, worker):
    papers = AgendaPaper.objects.filter(meeting=sent)

    # The coordinator sees both families; the school and health neither, each paper naming its agency.
    assert worker == [sent.pk]
    assert papers.count() == 3
    assert set(papers.values_list("key", flat=True)) == {
        key_for(world.panel_coordinator, sent),
        key_for(world.school_practitioner, sent),
        key_for(world.health_practitioner, sent),
    }
    assert all(bytes(paper.pdf).startswith(b"%PDF") for paper in papers)


def test_a_download_serves_the_stored_paper_and_is_still_audited(world, sent, client_for):
    marks = mark_stored(sent)
    first, second = sent.items.order_by("position")

    response = client_for(world.panel_coordinator).get(url(sent))

    assert response.status_code == 200
    assert response.content == marks[key_for(world.panel_coordinator, sent)]
    assert "no-store" in response["Cache-Control"]
    logs = AccessLog.objects.filter(user=world.panel_coordinator, record_type=AGENDA_RECORD)
    assert sorted((log.action, log.case_id) for log in logs) == sorted(
        [(AccessLog.Action.PRINT, first.case_id), (AccessLog.Action.PRINT, second.case_id)]
    )


def test_a_change_to_the_agenda_after_sending_makes_the_papers_again(
    world, sent, worker, client_for, django_capture_on_commit_callbacks
):
    before = set(AgendaPaper.objects.filter(meeting=sent).values_list("key", flat=True))
    mark_stored(sent)

    with django_capture_on_commit_callbacks(execute=True):
        added = services.agenda_add(actor=world.panel_coordinator, meeting=sent, case=waiting_case(world))
    response = client_for(world.panel_coordinator).get(url(sent))

    after = set(AgendaPaper.objects.filter(meeting=sent).values_list("key", flat=True))
    assert worker == [sent.pk, sent.pk]
    assert after.isdisjoint(before) and len(after) == 3
    assert response.content.startswith(b"%PDF")
    assert added.case.reference in text(response.content)


def test_a_stale_paper_is_never_served(world, sent, client_for):
    """The agenda changed and the task has not run yet (nothing commits here): the download renders."""
    marks = mark_stored(sent)
    added = services.agenda_add(actor=world.panel_coordinator, meeting=sent, case=waiting_case(world))

    response = client_for(world.panel_coordinator).get(url(sent))

    assert response.content not in marks.values()
    assert added.case.reference in text(response.content)
    assert AgendaPaper.objects.filter(meeting=sent).count() == 4  # the rendered one is kept for the next


def test_a_member_gets_their_agencys_paper_never_anothers(world, sent, client_for, django_capture_on_commit_callbacks):
    first, second = sent.items.order_by("position")
    family = second.case.family
    case_services.consent_record(
        actor=world.duty_manager,
        family=family,
        person=family.people.filter(kind="adult").first(),
        scope=Consent.Scope.SHARING,
        status=Consent.Status.GIVEN,
        evidence=Consent.Evidence.WRITTEN,
        decided_on=timezone.localdate(),
        agency=world.school,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_move(actor=world.panel_coordinator, item=second, up=True)
    marks = mark_stored(sent)
    school, health = key_for(world.school_practitioner, sent), key_for(world.health_practitioner, sent)

    school_pdf = client_for(world.school_practitioner).get(url(sent)).content
    health_pdf = client_for(world.health_practitioner).get(url(sent)).content

    assert len(marks) == 3 and school != health
    assert school_pdf == marks[school]
    assert health_pdf == marks[health]
    assert AgendaPaper.objects.filter(meeting=sent).count() == 3


def test_an_agenda_not_sent_is_not_made_ahead(world, upcoming, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_add(actor=world.panel_coordinator, meeting=upcoming[0], case=waiting_case(world))

    assert worker == []
    assert not AgendaPaper.objects.exists()


def test_a_decision_at_the_meeting_makes_its_papers_again(
    world, meeting_now, worker, client_for, django_capture_on_commit_callbacks
):
    item = services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=waiting_case(world))
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_send(actor=world.panel_coordinator, meeting=meeting_now)
    meeting_now.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        decision = services.decision_record(
            actor=world.panel_coordinator, item=item, outcome=PanelOutcome.DEFER, reason="The school's view."
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_amend(
            actor=world.panel_coordinator, decision=decision, amendment_reason="Typo.", reason="The school's report."
        )
    marks = mark_stored(meeting_now)
    response = client_for(world.panel_coordinator).get(url(meeting_now))

    assert worker == [meeting_now.pk] * 3
    assert response.content == marks[key_for(world.panel_coordinator, meeting_now)]


def test_stored_papers_are_deleted_a_week_after_their_meeting_or_when_it_is_cancelled(world, panel, upcoming):
    past = Meeting.objects.create(
        panel=panel, slot_on=timezone.localdate() - datetime.timedelta(days=800), starts_at=timezone.now()
    )
    Meeting.objects.filter(pk=past.pk).update(starts_at=timezone.now() - datetime.timedelta(days=8))
    ahead, cancelled = upcoming[0], upcoming[1]
    services.meeting_cancel(actor=world.panel_coordinator, meeting=cancelled, reason="The chair is ill.")
    for meeting in (past, ahead, cancelled):
        AgendaPaper.objects.create(meeting=meeting, key=f"key-{meeting.pk}", pdf=b"%PDF stored")

    deleted = panel_tasks.delete_old_agenda_papers()
    again = panel_tasks.delete_old_agenda_papers()

    assert (deleted, again) == (2, 0)
    assert list(AgendaPaper.objects.values_list("meeting_id", flat=True)) == [ahead.pk]

"""The case report of a long case is made by a task (the exports' "case-report" kind): its PDF link
leads to the page that asks for it, then to the export's progress page; the file is the report, its
making logged as a print of the case and its download in each family member's access log."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases import services as case_services
from cases.models import AccessLog, FamilyMembership
from outcomes.case_report import export as case_report_export
from outcomes.exports import tasks
from outcomes.exports.models import Export, ExportStatus
from tests.conftest import open_case


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_long_cases_report_is_made_by_a_task_and_downloaded_once(
    world, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(case_report_export, "LARGE_CHRONOLOGY", 5)
    monkeypatch.setattr(tasks.run_export, "delay", lambda export_id: tasks.run_export(export_id))
    case = open_case(world)
    for n in range(6):
        case_services.chronology_note_add(actor=world.lead, case=case, summary=f"Home visit {n}", body="Calmer.")
    client = client_for(world.team_manager)

    response = client.get(reverse("case_report:pdf", args=[case.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("case_report:make", args=[case.pk])
    assert "more than 5 entries" in client.get(response["Location"]).content.decode()
    assert not AccessLog.objects.filter(case=case, action=AccessLog.Action.PRINT).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("case_report:make", args=[case.pk]))
    export = Export.objects.get(requested_by=world.team_manager)
    assert response["Location"] == reverse("exports:export", args=[export.pk])
    assert export.kind == "case-report" and export.status == ExportStatus.DONE
    assert export.rows_done == export.rows_total == 15  # each section, then the layout
    people = set(FamilyMembership.objects.filter(family=case.family).values_list("person_id", flat=True))
    assert set(export.subject_ids) == people
    assert AccessLog.objects.filter(user=world.team_manager, case=case, action=AccessLog.Action.PRINT).count() == 1

    download = client.get(reverse("exports:export-download", args=[export.pk]))
    pdf = b"".join(download.streaming_content)
    texts = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    assert download["Content-Type"] == "application/pdf"
    assert all(case.reference in page and "OFFICIAL-SENSITIVE" in page for page in texts)
    assert "Home visit 5" in " ".join(texts)
    logged = AccessLog.objects.filter(user=world.team_manager, action=AccessLog.Action.EXPORT, record_id=export.pk)
    assert set(logged.values_list("person_id", flat=True)) == people
    assert set(logged.values_list("record_type", flat=True)) == {"case_report"}
    assert client.get(reverse("exports:export-download", args=[export.pk])).status_code == 410


def test_the_task_makes_nothing_for_a_manager_who_has_lost_the_case(
    world, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.run_export, "delay", queued.append)
    case = open_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.team_manager).post(reverse("case_report:make", args=[case.pk]))
    export = Export.objects.get(pk=queued[0])
    type(world.team_manager).objects.filter(pk=world.team_manager.pk).update(team=world.other_team)

    tasks.run_export(export.pk)

    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and not export.file
    assert not AccessLog.objects.filter(case=case, action=AccessLog.Action.PRINT).exists()

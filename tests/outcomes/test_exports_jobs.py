"""The export job: asked for through the Annex A form, made by the task (run here as the worker would
run it), its progress saved as it goes, downloaded once by whoever asked (410 after, 404 for anyone
else), the download in the access log, the file deleted after 24 hours; a job a dead worker left is
made again, a finished one never twice. The API's status and every user's answer on each route."""

from __future__ import annotations

import dataclasses
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import AccessLog
from cases.roles import Role
from outcomes.exports import annex_a, kinds, services, tasks
from outcomes.exports.models import Export, ExportStatus
from tests.factories import PersonFactory, UserFactory
from tests.test_access_declared import ALLOWED, MATRIX_USERS, ROUTES, answer, expected


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker(monkeypatch):
    """The Celery worker: a queued `run_export` runs as the worker would run it."""
    ran = []

    def delay(export_id):
        ran.append(export_id)
        return tasks.run_export(export_id)

    monkeypatch.setattr(tasks.run_export, "delay", delay)
    return ran


def ask(client, django_capture_on_commit_callbacks, *, on: datetime.date | None = None, file_format="xlsx"):
    on = on or timezone.localdate()
    data = {
        "inspection_date_0": str(on.day),
        "inspection_date_1": str(on.month),
        "inspection_date_2": str(on.year),
        "format": file_format,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("exports:annex-a"), data)


@pytest.fixture
def made(world, client_for, worker, django_capture_on_commit_callbacks):
    """The analyst's Annex A workbook, asked for and made."""
    response = ask(client_for(world.analyst), django_capture_on_commit_callbacks)
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:export", args=[export.pk])
    assert worker == [export.pk]
    export.refresh_from_db()
    return export


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(world, client_for):
    response = client_for(world.analyst).post(
        reverse("exports:annex-a"), {"inspection_date_0": "31", "inspection_date_1": "2", "inspection_date_2": "2027"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "The inspection date must be a real date" in page
    assert "Select which files you want" in page
    assert 'value="31"' in page and 'value="2027"' in page
    assert Export.objects.count() == 0


def test_the_export_is_made_and_its_progress_saved_every_few_rows(world, made, client_for, monkeypatch):
    assert made.status == ExportStatus.DONE
    assert made.rows_done == made.rows_total == 0  # nothing received in this world
    assert made.expires_at == made.finished_at + datetime.timedelta(hours=24)
    assert made.filename == f"annex-a-{timezone.localdate():%Y-%m-%d}.xlsx"
    assert made.file.name.startswith("exports/") and "annex" not in made.file.name

    # Progress on a job with rows: every second row saved (with the heartbeat), then the last.
    saved = []
    real_save = services._save_progress
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(services, "_save_progress", lambda e, d, t: (saved.append((d, t)), real_save(e, d, t)))
    monkeypatch.setattr(annex_a, "rows_total", lambda window: 5)
    monkeypatch.setattr(annex_a, "_rows", lambda window, seen=None: [iter([["x"]] * 3), iter([]), iter([["y"]] * 2)])
    job = Export.objects.create(
        kind=annex_a.KIND,
        requested_by=world.analyst,
        parameters={"inspection_date": "2027-03-03", "format": "csv"},
        heartbeat_at=timezone.now(),
    )

    assert services.export_run(export_id=job.pk) is True

    job.refresh_from_db()
    assert saved == [(0, 5), (2, 5), (4, 5)]
    assert (job.rows_done, job.rows_total, job.status) == (5, 5, ExportStatus.DONE)


def test_a_waiting_page_refreshes_itself_and_a_ready_one_offers_the_download(world, made, client_for):
    waiting = Export.objects.create(
        kind=annex_a.KIND, requested_by=world.analyst, parameters={"inspection_date": "2027-03-03", "format": "xlsx"}
    )

    client = client_for(world.analyst)
    waiting_response = client.get(reverse("exports:export", args=[waiting.pk]))
    stopped = client.get(reverse("exports:export", args=[waiting.pk]), {"refresh": "off"})
    ready_response = client.get(reverse("exports:export", args=[made.pk]))
    page, ready = waiting_response.content.decode(), ready_response.content.decode()

    # Reloaded by the browser every 5 seconds (a header, not a meta refresh), until the user stops it.
    assert waiting_response["Refresh"] == "5" and "http-equiv" not in page
    assert "Counting the rows" in page and 'href="?refresh=off"' in page
    assert "Refresh" not in stopped and "Update this page" in stopped.content.decode()
    assert "Refresh" not in ready_response
    assert reverse("exports:export-download", args=[made.pk]) in ready


def test_the_file_is_downloaded_once_by_whoever_asked_and_logged(
    world, made, client_for, django_capture_on_commit_callbacks
):
    analyst = client_for(world.analyst)
    other_analyst = UserFactory(agency=world.council, roles=[Role.ANALYST])
    url = reverse("exports:export-download", args=[made.pk])
    stored = made.file.name
    storage = made.file.storage

    refused = client_for(other_analyst).get(url)
    with django_capture_on_commit_callbacks(execute=True):
        first = analyst.get(url)
    body = b"".join(first.streaming_content)
    second = analyst.get(url)

    assert refused.status_code == 404
    assert first.status_code == 200
    assert first["Content-Disposition"].startswith('attachment; filename="annex-a-')
    assert load_workbook(io.BytesIO(body)).sheetnames == ["List 1", "List 2", "List 3"]
    assert second.status_code == 410
    assert "This file has gone" in second.content.decode()
    assert not storage.exists(stored)
    made.refresh_from_db()
    assert made.downloaded_at is not None and not made.file
    # Nobody's record in this world's lists: one row, naming no one.
    log = AccessLog.objects.filter(record_type="inspection_lists")
    assert list(log.values_list("user_id", "action", "record_id", "person_id")) == [
        (world.analyst.pk, AccessLog.Action.EXPORT, made.pk, None)
    ]


def test_the_sweep_deletes_files_past_their_24_hours(world, made, django_capture_on_commit_callbacks):
    stored, storage = made.file.name, made.file.storage

    not_yet = services.exports_sweep(now=made.expires_at - datetime.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        expired = services.exports_sweep(now=made.expires_at)
    made.refresh_from_db()

    assert (not_yet, expired) == (0, 1)
    assert made.status == ExportStatus.EXPIRED and not made.file
    assert not storage.exists(stored)
    assert made.downloadable is False


def test_a_finished_job_is_not_made_twice_and_a_dead_workers_job_is_made_again(world, made):
    assert services.export_run(export_id=made.pk) is False
    dead = Export.objects.create(
        kind=annex_a.KIND,
        requested_by=world.analyst,
        parameters={"inspection_date": "2027-03-03", "format": "xlsx"},
        status=ExportStatus.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now() - services.STALE_AFTER - datetime.timedelta(minutes=1),
    )
    alive = Export.objects.create(
        kind=annex_a.KIND,
        requested_by=world.analyst,
        parameters={"inspection_date": "2027-03-04", "format": "xlsx"},
        status=ExportStatus.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now(),
    )

    assert services.export_run(export_id=alive.pk) is False
    assert services.export_run(export_id=dead.pk) is True
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (ExportStatus.DONE, 2)


def test_the_same_request_twice_while_waiting_is_one_export(
    world, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(tasks.run_export, "delay", lambda export_id: None)  # no worker: both wait
    client = client_for(world.team_manager)

    ask(client, django_capture_on_commit_callbacks)
    ask(client, django_capture_on_commit_callbacks)

    assert Export.objects.filter(requested_by=world.team_manager).count() == 1


def test_the_api_gives_the_status_to_whoever_asked_only(world, made, client_for):
    url = reverse("api-export-detail", args=[made.pk])

    mine = client_for(world.analyst).get(url)
    theirs = client_for(world.team_manager).get(url)

    assert mine.status_code == 200
    assert mine.json()["status"] == "done"
    assert mine.json()["download_url"] == reverse("exports:export-download", args=[made.pk])
    assert theirs.status_code == 404


def test_the_menu_offers_exports_to_analysts_and_team_managers(world, client_for):
    assert 'href="/exports/"' in client_for(world.analyst).get("/").content.decode()
    assert 'href="/exports/"' in client_for(world.team_manager).get("/").content.decode()
    assert 'href="/exports/"' not in client_for(world.lead).get("/").content.decode()
    assert client_for(world.administrator).get(reverse("exports:annex-a")).status_code == 403


def test_a_kind_that_fails_leaves_a_message_for_the_person(world, monkeypatch, client_for):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(kinds.KINDS, annex_a.KIND, dataclasses.replace(annex_a.ANNEX_A, make=broken))
    job = Export.objects.create(
        kind=annex_a.KIND, requested_by=world.analyst, parameters={"inspection_date": "2027-03-03"}
    )

    assert services.export_run(export_id=job.pk) is False

    job.refresh_from_db()
    page = client_for(world.analyst).get(reverse("exports:export", args=[job.pk])).content.decode()
    assert (job.status, job.error) == (ExportStatus.FAILED, services.FAILED_MESSAGE)
    assert services.FAILED_MESSAGE.split(";")[0] in page
    assert "database" not in page


def test_your_exports_are_read_in_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.analyst)
    Export.objects.create(kind=annex_a.KIND, requested_by=world.analyst, parameters={"inspection_date": "2027-03-03"})
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("exports:list"))
    for day in range(4, 14):
        Export.objects.create(
            kind=annex_a.KIND, requested_by=world.analyst, parameters={"inspection_date": f"2027-03-{day:02d}"}
        )

    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("exports:list")).content.decode()

    assert page.count("Inspection date") == 11


# --- Every route, every user -------------------------------------------------------------------------

NAMES = ("exports:", "api-export-")
EXPORT_ROUTES = [route for route in ROUTES if route.name.startswith(NAMES)]


def test_there_are_export_routes():
    assert {route.name for route in EXPORT_ROUTES} == {
        "exports:list",
        "exports:annex-a",
        "exports:export",
        "exports:export-download",
        "api-export-detail",
    }


@pytest.mark.parametrize("route", EXPORT_ROUTES, ids=lambda route: route.name)
def test_every_user_gets_the_answer_the_declaration_gives(world, client_for, route):
    world.contact_officer = UserFactory(username="contact", agency=world.council, roles=[Role.CONTACT_OFFICER])
    mismatches = []
    for name in MATRIX_USERS:
        user = getattr(world, name)
        # Each user's own export (not downloadable: the download answers "not ready" without a file).
        export = Export.objects.create(kind=annex_a.KIND, requested_by=user, parameters={})
        ids = {"export_id": export.pk}
        url = route.url({key: str(value) for key, value in ids.items()})
        client = client_for(user)
        for method in route.methods():
            want = expected(route, method, user, ids, world, None)
            got = answer(client, route, method, url)
            ok = got not in (401, 403, 404) if want == ALLOWED else got == want
            if not ok:
                mismatches.append(f"{name} {method} {url}: declared {want}, got {got}")
    assert mismatches == []


def test_a_download_is_in_the_access_log_of_each_child_in_the_file(world):
    children = [PersonFactory(), PersonFactory()]
    export = Export.objects.create(
        kind=annex_a.KIND,
        requested_by=world.analyst,
        parameters={"inspection_date": "2027-03-03"},
        status=ExportStatus.DONE,
        finished_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(hours=1),
        subject_ids=[child.pk for child in children],
    )
    export.file.save("lists.xlsx", ContentFile(b"the lists"))

    handle, _export = services.export_download(actor=world.analyst, export=export)

    assert handle.read() == b"the lists"
    log = AccessLog.objects.filter(record_type="inspection_lists", record_id=export.pk)
    assert sorted(log.values_list("person_id", flat=True)) == sorted(child.pk for child in children)
    assert set(log.values_list("user_id", "action")) == {(world.analyst.pk, AccessLog.Action.EXPORT)}


# --- Who may make the county's inspection lists ------------------------------------------------------

# (who, their agency's type, their roles, may they make Annex A): analysts, and the team managers of
# the council's own early help service; not a partner agency's team manager, whatever else they hold.
COUNTY_RETURNS = [
    ("council-manager", "council-early-help", [Role.TEAM_MANAGER], True),
    ("council-manager-coordinator", "council-early-help", [Role.TEAM_MANAGER, Role.PANEL_COORDINATOR], True),
    ("council-analyst", "council-early-help", [Role.ANALYST], True),
    ("school-manager", "school", [Role.TEAM_MANAGER], False),
    ("school-manager-referrer", "school", [Role.TEAM_MANAGER, Role.REFERRER], False),
    ("school-manager-analyst", "school", [Role.TEAM_MANAGER, Role.ANALYST], True),
    ("health-manager", "health", [Role.TEAM_MANAGER], False),
    ("no-agency-manager", None, [Role.TEAM_MANAGER], False),
    ("council-lead", "council-early-help", [Role.LEAD_PROFESSIONAL], False),
    ("council-administrator", "council-early-help", [Role.ADMINISTRATOR], False),
]


@pytest.mark.parametrize(
    ("username", "agency_type", "roles", "may"), COUNTY_RETURNS, ids=[c[0] for c in COUNTY_RETURNS]
)
def test_annex_a_is_for_analysts_and_the_councils_early_help_team_managers(
    world, client_for, worker, django_capture_on_commit_callbacks, username, agency_type, roles, may
):
    from cases.models import AgencyType
    from tests.factories import AgencyFactory

    agency = None
    if agency_type is not None:
        agency = AgencyFactory(name=f"{username} agency", agency_type=AgencyType.objects.get(code=agency_type))
    user = UserFactory(username=username, agency=agency, roles=roles)
    client = client_for(user)

    form = client.get(reverse("exports:annex-a"))
    asked = ask(client, django_capture_on_commit_callbacks)
    listed = client.get(reverse("exports:list"))

    assert annex_a.ANNEX_A.allowed(user) is may
    assert form.status_code == (200 if may else 403)
    assert asked.status_code == (302 if may else 403)
    assert Export.objects.filter(requested_by=user).exists() is may
    if listed.status_code == 200:  # every signed-in user finds their own exports
        assert ('href="/exports/annex-a/"' in listed.content.decode()) is may
    if not may:
        with pytest.raises(PermissionDenied):
            services.export_request(actor=user, kind=annex_a.KIND, parameters={"inspection_date": "2027-03-03"})


def test_whether_a_team_manager_may_make_annex_a_takes_one_query(world, django_assert_num_queries):
    for user in (world.analyst, world.team_manager):
        user.has_role(Role.ANALYST)  # the user's roles, read once a request
    with django_assert_num_queries(0):
        assert annex_a.may_make_county_returns(world.analyst)
    with django_assert_num_queries(1):
        assert annex_a.may_make_county_returns(world.team_manager)

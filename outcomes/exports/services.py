"""Writes of the export jobs: asking for one, running it (the Celery task's one call), the once-only
download and the sweep that deletes files past their 24 hours."""

from __future__ import annotations

import datetime
import logging
import tempfile
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cases.audit import Subject, access_log_record
from cases.models import AccessLog, User

from .kinds import Progress, kind_for
from .models import Export, ExportStatus

logger = logging.getLogger(__name__)

KEPT_FOR = datetime.timedelta(hours=24)
# A running job whose heartbeat is older than this was left by a worker that died (the heartbeat is
# saved with the progress, every PROGRESS_EVERY rows: seconds apart on any export).
STALE_AFTER = datetime.timedelta(minutes=10)
PROGRESS_EVERY = 500
# A job that has killed its worker this many times is not tried again.
MAX_ATTEMPTS = 3
FAILED_MESSAGE = "The export could not be made. Try again; if it fails again, tell the service desk."
GAVE_UP_MESSAGE = "The export stopped before it was finished, more than once. Try again with a smaller period."

# The access log's name for the download of an export whose kind names none.
RECORD_TYPE = "export"


class ExportGone(Exception):
    """The file has been downloaded already, or deleted after its 24 hours."""


def _enqueue(export_id: int) -> None:
    from .tasks import run_export

    transaction.on_commit(lambda: run_export.delay(export_id))


@transaction.atomic
def export_request(*, actor: User, kind: str, parameters: dict) -> Export:
    """Ask for an export of `kind` with `parameters` (already checked by the form that took them).

    Before: the kind is registered and `actor` may ask for it (PermissionDenied otherwise). Besides:
    the job is queued for a worker on commit. The same request made again while the first is still
    waiting or being made (a double click) gives the first one back."""
    export_kind = kind_for(kind)
    if export_kind is None:
        raise ValidationError(f"No such export: {kind}")
    if not export_kind.allowed(actor):
        raise PermissionDenied
    # One at a time per person: the lock makes two requests at the same moment see each other.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    same = (
        Export.objects.filter(
            requested_by=actor,
            kind=kind,
            parameters=parameters,
            status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
        )
        .order_by("-created_at")
        .first()
    )
    if same is not None:
        return same
    now = timezone.now()
    export = Export.objects.create(
        kind=kind, requested_by=actor, parameters=parameters, created_at=now, heartbeat_at=now
    )
    _enqueue(export.pk)
    return export


def _save_progress(export: Export, rows_done: int, rows_total: int | None) -> None:
    # Only while this attempt still holds the job: a job given to another worker is not written over.
    Export.objects.filter(pk=export.pk, status=ExportStatus.RUNNING, attempts=export.attempts).update(
        rows_done=rows_done, rows_total=rows_total, heartbeat_at=timezone.now()
    )


def _claim(export_id: int, now: datetime.datetime) -> Export | None:
    """Take the job for this attempt: a queued one, or a running one whose worker died. None when
    it is gone, finished, or being made by a live worker."""
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_id).first()
        if export is None:
            return None
        stale = export.status == ExportStatus.RUNNING and export.heartbeat_at < now - STALE_AFTER
        if export.status != ExportStatus.QUEUED and not stale:
            return None
        if export.attempts >= MAX_ATTEMPTS:
            export.status = ExportStatus.FAILED
            export.error = GAVE_UP_MESSAGE
            export.finished_at = now
            export.save(update_fields=["status", "error", "finished_at"])
            return None
        export.status = ExportStatus.RUNNING
        export.started_at = export.heartbeat_at = now
        export.attempts += 1
        export.rows_done = 0
        export.save(update_fields=["status", "started_at", "heartbeat_at", "attempts", "rows_done"])
        return export


def _fail(export: Export, message: str) -> None:
    Export.objects.filter(pk=export.pk, status=ExportStatus.RUNNING, attempts=export.attempts).update(
        status=ExportStatus.FAILED, error=message, finished_at=timezone.now()
    )


def export_run(*, export_id: int) -> bool:
    """Make the export `export_id` (the task's one call). Safe to run twice, and after a worker that
    died: a finished job is left alone, one being made by a live worker too; one whose worker died
    is made again from the start. Returns whether this call made it.

    Besides: the file is kept through the storage API under a random name; the job is ready for 24
    hours (`expires_at`). A failure is logged (without the parameters: they may name a case) and
    the job shows a message in words for the person."""
    now = timezone.now()
    export = _claim(export_id, now)
    if export is None:
        return False
    export_kind = kind_for(export.kind)
    if export_kind is None:
        _fail(export, FAILED_MESSAGE)
        logger.error("Export %s: no such kind %s", export.pk, export.kind)
        return False
    progress = Progress(export, every=PROGRESS_EVERY, save=_save_progress)
    with tempfile.TemporaryFile() as out:
        try:
            output = export_kind.make(export=export, progress=progress, out=out)
        except Exception:
            logger.exception("Export %s (%s) failed", export.pk, export.kind)
            _fail(export, FAILED_MESSAGE)
            return False
        out.seek(0)
        with transaction.atomic():
            held = Export.objects.select_for_update().filter(pk=export.pk).first()
            if held is None or held.status != ExportStatus.RUNNING or held.attempts != export.attempts:
                return False  # given to another worker meanwhile: its file wins
            finished = timezone.now()
            held.file.save(output.filename, File(out), save=False)
            held.status = ExportStatus.DONE
            held.filename = output.filename
            held.content_type = output.content_type
            held.rows_total = progress.rows_total if progress.rows_total is not None else progress.done
            held.rows_done = progress.done
            held.subject_ids = sorted(progress.subjects)
            held.finished_at = held.heartbeat_at = finished
            held.expires_at = finished + KEPT_FOR
            held.save()
    return True


@transaction.atomic
def export_download(*, actor: User, export: Export, request: HttpRequest | None = None) -> tuple[IO[bytes], Export]:
    """The export's file, once, for whoever asked for it (the access function has checked that).

    Before: the export is ready and within its 24 hours, else ExportGone (downloaded already, or
    deleted) or ValidationError (not made yet, or failed). Besides: the download is written to the
    access log of each person whose record the file holds (one row when it names no one); the stored
    file is deleted, a copy handed back in a temporary file that goes when it is closed, so a second
    download finds nothing."""
    held = Export.objects.select_for_update().get(pk=export.pk)
    if held.requested_by_id != actor.pk:
        raise PermissionDenied
    if held.downloaded_at is not None or held.status == ExportStatus.EXPIRED:
        raise ExportGone
    if held.status != ExportStatus.DONE or not held.file:
        raise ValidationError("The export is not ready")
    if held.expires_at <= timezone.now():
        raise ExportGone
    copy = tempfile.TemporaryFile()
    with held.file.open("rb") as stored:
        for chunk in stored.chunks():
            copy.write(chunk)
    copy.seek(0)
    name = held.file.name
    held.downloaded_at = timezone.now()
    held.file = ""
    held.save(update_fields=["downloaded_at", "file"])
    export_kind = kind_for(held.kind)
    access_log_record(
        user=actor,
        action=AccessLog.Action.EXPORT,
        record_type=export_kind.record_type if export_kind else RECORD_TYPE,
        record_id=held.pk,
        subject=Subject(person_ids=tuple(held.subject_ids)),
        request=request,
    )
    storage = held.file.storage
    transaction.on_commit(lambda: storage.delete(name))
    return copy, held


def exports_sweep(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports past their 24 hours and mark them expired; queue again the jobs a
    lost message or a dead worker left unfinished. Safe to run twice; returns how many expired."""
    now = now or timezone.now()
    expired = 0
    for export_id in Export.objects.filter(status=ExportStatus.DONE, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            export = Export.objects.select_for_update().filter(pk=export_id, status=ExportStatus.DONE).first()
            if export is None:
                continue
            name = export.file.name if export.file else ""
            export.status = ExportStatus.EXPIRED
            export.file = ""
            export.save(update_fields=["status", "file"])
            if name:
                storage = export.file.storage
                transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
            expired += 1
    stuck = Export.objects.filter(
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], heartbeat_at__lt=now - STALE_AFTER
    ).values_list("pk", flat=True)
    for export_id in stuck:
        _enqueue_now(export_id)
    return expired


def _enqueue_now(export_id: int) -> None:
    from .tasks import run_export

    run_export.delay(export_id)

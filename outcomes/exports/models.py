"""Export jobs: a file made by a Celery task for the person who asked, kept 24 hours and downloaded
once (the Ofsted inspection lists now; the claims list and the case report of the largest cases
later, each a kind in `outcomes.exports.kinds`)."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import User


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Deleted after 24 hours"


def export_file_path(instance: Export, filename: str) -> str:
    """A random name in a dated folder: what the export is about never shows in the storage."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}" + (f".{extension}" if extension else "")


class Export(models.Model):
    """One export asked for by one person. The task that makes it claims it (queued, or running with
    a heartbeat older than `services.STALE_AFTER`: its worker died) and saves its progress every few
    hundred rows; the file is kept through the storage API under a random name until it is
    downloaded (once, by whoever asked) or 24 hours have passed, then deleted."""

    Status = ExportStatus

    kind = models.CharField(max_length=50)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to=export_file_path, blank=True, max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    filename = models.CharField(max_length=200, blank=True, help_text="The name the download is given")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Saved with the progress: a running export whose heartbeat stopped was left by a dead worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, help_text="What went wrong, in words for the person")
    # The people whose records the file holds (ids, not keys: an export never stops a record being
    # deleted); its download is written to each one's access log.
    subject_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ExportStatus.values), name="export_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(finished_at__isnull=False) & Q(expires_at__isnull=False)),
                name="export_done_has_dates",
            ),
            models.CheckConstraint(
                condition=~Q(status="running") | Q(heartbeat_at__isnull=False), name="export_running_has_heartbeat"
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="export_requested_by_idx"),
            # The sweep: ready files past their 24 hours, and jobs a dead worker or a lost message left.
            models.Index(fields=["expires_at"], condition=Q(status="done"), name="export_expiry_idx"),
            models.Index(
                fields=["heartbeat_at"], condition=Q(status__in=["queued", "running"]), name="export_unfinished_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.kind})"

    @property
    def unfinished(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def downloadable(self) -> bool:
        """Ready, not yet downloaded, and within its 24 hours."""
        return (
            self.status == ExportStatus.DONE
            and self.downloaded_at is None
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 100 if self.status == ExportStatus.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)

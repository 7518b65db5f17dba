"""Reads of the export jobs."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.models import User

from .models import Export


def exports_for_user(*, user: User) -> QuerySet[Export]:
    """The exports `user` asked for, newest first (one query; the kind's label is read from the
    registry, not the database)."""
    return Export.objects.filter(requested_by=user).order_by("-created_at", "-id")

"""The case report's own read: who has had access to the case. Everything else in the report is
read through the selectors of the app that owns it (see `report.py`)."""

from __future__ import annotations

from django.db.models import Count, Max, Min, QuerySet

from cases.models import AccessLog, Case

# Distinct (who, what) rows printed, most recent first: a case seen by many over years stays a page or
# two; the count of rows left out is given beside it.
ACCESS_ROWS = 100


def case_access_summary(*, case: Case) -> QuerySet:
    """Who viewed, printed or exported the case or a record of it, or was refused (`AccessLog` rows
    naming the case), as one row per person, action and kind of record: how many times, first and
    last, most recent first. One query on the log's case index."""
    return (
        AccessLog.objects.filter(case_id=case.pk)
        .values(
            *("user_id", "user__first_name", "user__last_name", "user__username", "user__agency__name"),
            *("action", "record_type"),
        )
        .annotate(times=Count("id"), first_at=Min("at"), last_at=Max("at"))
        .order_by("-last_at", "user_id", "action", "record_type")
    )

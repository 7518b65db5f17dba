"""Who may see an export: only the person who asked for it (404 for anyone else, the same answer as
for an export that does not exist), through the one access function that pages and the API use."""

from __future__ import annotations

from django.http import Http404

from cases.access import register_record_kind
from cases.models import User

from .models import Export

VIEW_EXPORT = "view_export"


def export_get_for_user(
    *, user: User, export_id: int, perm: str = VIEW_EXPORT, request=None, log: bool = True
) -> Export:
    """The export `export_id` if `user` asked for it; else 404. Seeing a job's progress reads no one's
    record, so it is not logged; its download is (`services.export_download`)."""
    export = Export.objects.filter(pk=export_id, requested_by_id=user.pk).first()
    if export is None or perm != VIEW_EXPORT:
        raise Http404("No export found")
    return export


register_record_kind("export", export_get_for_user, "export_id")

"""The Early Help Panel's printed papers: a meeting's agenda with its papers, and its minutes, as PDFs
to download (made by `panels.pdf`, each a print in the access log of the cases it shows). Anyone who
may view the meeting may print them; a family's details only where the family agreed to share with
their agency. Never stored by the browser (`Cache-Control: no-store`, the middleware's, as for the
front door's letters)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from cases.access import object_view

from .pdf import agenda_pdf, minutes_pdf, pdf_filename
from .permissions import VIEW_PANEL


def _download(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, no_store=True)
    return response


@object_view("meeting", VIEW_PANEL)
@require_GET
def agenda_print(request: HttpRequest, meeting) -> HttpResponse:
    """The agenda and its papers as one PDF, named after the panel and the date."""
    return _download(agenda_pdf(user=request.user, meeting=meeting, request=request), pdf_filename(meeting, "agenda"))


@object_view("meeting", VIEW_PANEL)
@require_GET
def minutes_print(request: HttpRequest, meeting) -> HttpResponse:
    """The minutes as a PDF, named after the panel and the date."""
    return _download(minutes_pdf(user=request.user, meeting=meeting, request=request), pdf_filename(meeting, "minutes"))


urlpatterns = [
    path("panels/meetings/<int:meeting_id>/agenda.pdf", agenda_print, name="agenda-pdf"),
    path("panels/meetings/<int:meeting_id>/minutes.pdf", minutes_print, name="minutes-pdf"),
]

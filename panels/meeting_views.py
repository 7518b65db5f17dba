"""A meeting of a panel: agenda, attendance, decisions, actions. (Being built in this session.)"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from cases.access import object_view

from .permissions import VIEW_PANEL


@object_view("meeting", VIEW_PANEL)
def meeting(request: HttpRequest, meeting) -> HttpResponse:
    return HttpResponse(str(meeting))


urlpatterns = [path("panels/meetings/<int:meeting_id>/", meeting, name="meeting")]

from django.urls import path

from . import views

urlpatterns = [
    path("panels/", views.PanelList.as_view(), name="api-panel-list"),
    path("panels/<int:panel_id>/", views.PanelDetail.as_view(), name="api-panel-detail"),
    path("panels/<int:panel_id>/waiting-list/", views.WaitingList.as_view(), name="api-panel-waiting-list"),
    path("meetings/<int:meeting_id>/", views.MeetingDetail.as_view(), name="api-meeting-detail"),
    path("meetings/<int:meeting_id>/agenda-items/", views.AgendaItemCreate.as_view(), name="api-agenda-item-create"),
    path("meetings/<int:meeting_id>/attendance/", views.AttendanceRecord.as_view(), name="api-meeting-attendance"),
    path("agenda-items/<int:item_id>/decision/", views.DecisionCreate.as_view(), name="api-agenda-item-decision"),
    path(
        "panel-decisions/<int:panel_decision_id>/amendments/",
        views.AmendmentCreate.as_view(),
        name="api-panel-decision-amendments",
    ),
]

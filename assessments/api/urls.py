from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_id>/outcome-readings/", views.CaseReadings.as_view(), name="api-case-outcome-readings"),
]

from django.urls import path

from . import assessment, plan, step, taf, views

urlpatterns = [
    path("cases/<int:case_id>/outcome-readings/", views.CaseReadings.as_view(), name="api-case-outcome-readings"),
    *assessment.urlpatterns,
    *step.urlpatterns,
    *plan.urlpatterns,
    path("cases/<int:case_id>/taf-meetings/", taf.CaseTafMeetings.as_view(), name="api-case-taf-meetings"),
    path("cases/<int:case_id>/reviews/", taf.CaseReviews.as_view(), name="api-case-reviews"),
]

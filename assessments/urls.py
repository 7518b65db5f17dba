"""Included under /cases/ (the pages about one case): each part of the lead professional's work
keeps its own pages in its own module."""

from . import assessment_views, fgc_views, plan_views, review_views, step_views, taf_views, views

app_name = "assessments"

urlpatterns = [
    *views.urlpatterns,
    *assessment_views.urlpatterns,
    *plan_views.urlpatterns,
    *taf_views.urlpatterns,
    *review_views.urlpatterns,
    *step_views.urlpatterns,
    *fgc_views.urlpatterns,
]

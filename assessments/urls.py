"""Included under /cases/ (the pages about one case): each part of the lead professional's work
keeps its own pages in its own module."""

from . import assessment_views, plan_views, review_views, taf_views, views
from . import fgc_views, step_views

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

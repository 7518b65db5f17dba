"""Included under /cases/ (the pages about one case): each part of the lead professional's work
keeps its own pages in its own module."""

from . import review_views, taf_views, views

app_name = "assessments"

urlpatterns = [*views.urlpatterns, *taf_views.urlpatterns, *review_views.urlpatterns]

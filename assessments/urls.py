"""Included under /cases/ (the pages about one case): each part of the lead professional's work
keeps its own pages in its own module."""

from . import views

app_name = "assessments"

urlpatterns = [*views.urlpatterns]

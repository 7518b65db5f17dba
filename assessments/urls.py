"""Included under /cases/ (the pages about one case)."""

from . import views

app_name = "assessments"

urlpatterns = views.urlpatterns

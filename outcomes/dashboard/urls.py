"""The dashboard's pages: the first section at /dashboard/, each other section at /dashboard/<slug>/
(a route for each, all named "section": reverse with `section=<slug>`), and the PDF."""

from django.urls import path

from . import views
from .selectors import SECTIONS

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("pdf/", views.dashboard_pdf, name="dashboard-pdf"),
    *(path(f"{section.slug}/", views.dashboard, {"section": section.slug}, name="section") for section in SECTIONS[1:]),
]

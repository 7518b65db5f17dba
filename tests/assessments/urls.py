"""The project's routes with the outcome tool pages and API, as earlyhelp/urls.py will include them
(`path("cases/", include("assessments.urls"))` and `path("api/v1/", include("assessments.api.urls"))`):
until it does, the tests here use this configuration (pytest.mark.urls)."""

from django.urls import include, path

from earlyhelp.urls import handler403, handler404, handler500
from earlyhelp.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("cases/", include("assessments.urls")),
    path("api/v1/", include("assessments.api.urls")),
    *project_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]

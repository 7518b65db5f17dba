from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases import views as case_views
from cases.access import public, signed_in

from .api_docs import SchemaView, SwaggerView

admin.site.site_header = "Early Help administration"
admin.site.site_title = "Early Help administration"

urlpatterns = [
    path("", case_views.home, name="home"),
    path(
        "accounts/sign-in/",
        public(
            auth_views.LoginView.as_view(template_name="registration/sign_in.html", redirect_authenticated_user=True)
        ),
        name="sign-in",
    ),
    path("accounts/sign-out/", signed_in(auth_views.LogoutView.as_view()), name="sign-out"),
    path("cases/", include("cases.urls")),
    path("", include("front_door.urls")),
    path("", include("panels.urls")),
    path("cases/", include("assessments.urls")),
    path("cases/", include("outcomes.case_report.urls")),
    path("cases/", include("outcomes.urls")),
    path("dashboard/", include("outcomes.dashboard.urls")),
    path("exports/", include("outcomes.exports.urls")),
    path("subject-access/", include("outcomes.subject_access.urls")),
    path("accessibility/", case_views.static_page, {"template": "accessibility"}, name="accessibility"),
    path("privacy/", case_views.static_page, {"template": "privacy"}, name="privacy"),
    path("healthz", case_views.health, name="health"),
    path("api/v1/", include("cases.api.urls")),
    path("api/v1/", include("front_door.api.urls")),
    path("api/v1/", include("panels.api.urls")),
    path("api/v1/", include("assessments.api.urls")),
    path("api/v1/", include("outcomes.exports.api.urls")),
    path("api/v1/", include("outcomes.dashboard.api")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler403 = "earlyhelp.errors.forbidden"
handler404 = "earlyhelp.errors.not_found"
handler500 = "earlyhelp.errors.server_error"

from django.urls import path, register_converter

from . import network_views, views
from .parts import CASE_ACTION_LABELS


class CaseActionConverter:
    """Only the lifecycle's own moves (`request_closure`, ...): every other path under a case is
    left to the pages of the apps built on it (`/cases/<id>/assessment/`, `/cases/<id>/plan/`)."""

    regex = "|".join(sorted(CASE_ACTION_LABELS, key=len, reverse=True))

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CaseActionConverter, "case_action")

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("<int:case_id>/", views.case_detail, name="case-detail"),
    path("<int:case_id>/notes/add/", views.case_note_add, name="note-add"),
    path("<int:case_id>/team/add/", views.case_member_add, name="member-add"),
    path("<int:case_id>/team/<int:member_id>/remove/", views.case_member_remove, name="member-remove"),
    path("<int:case_id>/consent/add/", views.consent_add, name="consent-add"),
    path("<int:case_id>/consent/", views.consent_list, name="consent-list"),
    path("<int:case_id>/consent/<int:consent_id>/evidence/", views.consent_evidence, name="consent-evidence"),
    path("<int:case_id>/network/", network_views.network_page, name="network"),
    path("<int:case_id>/network/add/", network_views.network_person_add, name="network-person-add"),
    path(
        "<int:case_id>/network/<int:person_id>/change/",
        network_views.network_person_change,
        name="network-person-change",
    ),
    path("<int:case_id>/network/relationships/add/", network_views.relationship_add, name="network-relationship-add"),
    path(
        "<int:case_id>/network/relationships/remove/",
        network_views.relationship_remove,
        name="network-relationship-remove",
    ),
    path("<int:case_id>/return-to-panel/", views.case_return_to_panel, name="return-to-panel"),
    path("<int:case_id>/<case_action:action>/", views.case_action, name="case-action"),
    path("people/", views.person_search, name="person-search"),
    path("people/<int:person_id>/", views.person_detail, name="person-detail"),
    path("figures/", views.figures, name="figures"),
    path("access-log/", views.access_log, name="access-log"),
]

from django.urls import path

from . import consent, network, views

urlpatterns = [
    path("cases/", views.CaseList.as_view(), name="api-case-list"),
    path("cases/<int:case_id>/", views.CaseDetail.as_view(), name="api-case-detail"),
    path("cases/<int:case_id>/chronology/", views.CaseChronology.as_view(), name="api-case-chronology"),
    path("cases/<int:case_id>/return-to-panel/", views.CaseReturnToPanel.as_view(), name="api-case-return-to-panel"),
    path("cases/<int:case_id>/consents/", consent.CaseConsents.as_view(), name="api-case-consents"),
    path("cases/<int:case_id>/network/", network.CaseNetwork.as_view(), name="api-case-network"),
    path(
        "cases/<int:case_id>/network/relationships/",
        network.CaseNetworkRelationships.as_view(),
        name="api-case-network-relationships",
    ),
    path(
        "cases/<int:case_id>/network/<int:person_id>/",
        network.CaseNetworkPerson.as_view(),
        name="api-case-network-person",
    ),
]

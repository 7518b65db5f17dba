from django.urls import path

from . import step_down, views

urlpatterns = [
    path("referrals/", views.ReferralListCreate.as_view(), name="api-referral-list"),
    path("referrals/<int:referral_id>/", views.ReferralDetail.as_view(), name="api-referral-detail"),
    path("referrals/<int:referral_id>/claim/", views.ReferralClaim.as_view(), name="api-referral-claim"),
    path("referrals/<int:referral_id>/release/", views.ReferralRelease.as_view(), name="api-referral-release"),
    path("referrals/<int:referral_id>/decision/", views.ReferralDecide.as_view(), name="api-referral-decision"),
    path(
        "referrals/<int:referral_id>/decisions/<int:decision_id>/amend/",
        views.DecisionAmend.as_view(),
        name="api-decision-amend",
    ),
    path(
        "referrals/<int:referral_id>/letters/<int:letter_id>/",
        views.ReferralLetter.as_view(),
        name="api-referral-letter",
    ),
    path(
        "cases/<int:case_id>/information-requests/",
        views.CaseInformationRequests.as_view(),
        name="api-case-information-requests",
    ),
    path("step-downs/", step_down.StepDownCreate.as_view(), name="api-step-down-list"),
    path("step-downs/<int:referral_id>/", step_down.StepDownDetail.as_view(), name="api-step-down-detail"),
]

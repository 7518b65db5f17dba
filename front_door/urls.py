from . import intake_views, letter_views, partner_views, triage_views

app_name = "front_door"

urlpatterns = intake_views.urlpatterns + triage_views.urlpatterns + letter_views.urlpatterns + partner_views.urlpatterns

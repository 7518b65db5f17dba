from . import intake_views, letter_views, partner_views, step_down_views, triage_views

app_name = "front_door"

urlpatterns = intake_views.urlpatterns + triage_views.urlpatterns + letter_views.urlpatterns + partner_views.urlpatterns
urlpatterns += step_down_views.urlpatterns

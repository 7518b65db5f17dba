from . import meeting_views, pdf_views, views

app_name = "panels"

urlpatterns = views.urlpatterns + meeting_views.urlpatterns + pdf_views.urlpatterns

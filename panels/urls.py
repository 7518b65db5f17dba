from . import views

app_name = "panels"

urlpatterns = views.urlpatterns

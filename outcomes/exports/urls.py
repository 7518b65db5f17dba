from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("annex-a/", views.annex_a_new, name="annex-a"),
    path("<int:export_id>/", views.export_detail, name="export"),
    path("<int:export_id>/download/", views.export_download, name="export-download"),
]

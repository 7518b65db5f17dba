from django.urls import path

from . import views

urlpatterns = [
    path("exports/<int:export_id>/", views.ExportDetail.as_view(), name="api-export-detail"),
]

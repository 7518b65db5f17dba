from django.urls import path

from . import views

app_name = "subject_access"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("<int:sar_id>/", views.request_detail, name="request"),
    path("<int:sar_id>/items/", views.request_items, name="request-items"),
    path("<int:sar_id>/status/", views.request_status, name="request-status"),
    path("<int:sar_id>/export/", views.request_export, name="request-export"),
]

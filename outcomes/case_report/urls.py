from django.urls import path

from . import views

app_name = "case_report"
# cases.urls' "<case_id>/<case_action>/" takes only the lifecycle's moves, so "report.pdf" is ours.
urlpatterns = [
    path("<int:case_id>/report.pdf", views.case_report, name="pdf"),
]

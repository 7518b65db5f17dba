from django.urls import path

from . import views

app_name = "case_report"
# cases.urls' "<case_id>/<case_action>/" takes only the lifecycle's moves: "report" is ours.
urlpatterns = [
    path("<int:case_id>/report.pdf", views.case_report, name="pdf"),
    path("<int:case_id>/report/", views.case_report_make, name="make"),
]

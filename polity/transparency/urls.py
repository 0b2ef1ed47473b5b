from django.urls import path

from polity.transparency import views

app_name = "transparency"
urlpatterns = [
    path("", views.page, name="page"),
    path("<int:unit_id>/", views.page, name="unit"),
    path("<int:unit_id>/<str:quarter>.csv", views.page_csv, name="csv"),
    path("<int:unit_id>/<str:quarter>/publish/", views.publish, name="publish"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:report_id>/", views.report, name="report"),
    path("reports/<int:report_id>.csv", views.report_csv, name="report_csv"),
]

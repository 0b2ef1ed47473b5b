from django.urls import path

from polity.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("complain/", views.complain, name="complain"),
    path("complain/confirm/<str:token>/", views.complain_confirm, name="complain_confirm"),
    path("follow/<str:token>/", views.follow, name="follow"),
    path("queue/", views.queue, name="queue"),
    path("stats/", views.stats, name="stats"),
    path("stats/<int:unit_id>/", views.stats, name="stats_unit"),
    path("evidence/<int:evidence_id>/", views.evidence, name="evidence"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/actions/<slug:action>/", views.act, name="act"),
]

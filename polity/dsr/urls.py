from django.urls import path

from polity.dsr import views

app_name = "dsr"
urlpatterns = [
    path("", views.my_data, name="my_data"),
    path("mine/<int:request_id>/", views.mine, name="mine"),
    path("mine/<int:request_id>/withdraw/", views.withdraw, name="withdraw"),
    path("request/", views.public, name="public"),
    path("request/confirm/<str:token>/", views.public_confirm, name="public_confirm"),
    path("follow/<str:token>/", views.follow, name="follow"),
    path("download/<str:token>/", views.download, name="download"),
    path("download/<str:token>/<slug:which>/", views.download, name="download_file"),
    path("requests/", views.queue, name="queue"),
    path("requests/new/", views.record, name="record"),
    path("requests/<int:request_id>/", views.detail, name="detail"),
    path("requests/<int:request_id>/<slug:action>/", views.act, name="act"),
]

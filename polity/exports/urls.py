from django.urls import path

from polity.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("<int:export_id>/download/", views.download, name="download"),
    path("<int:export_id>/approve/", views.approve, name="approve"),
    path("<int:export_id>/refuse/", views.refuse, name="refuse"),
    path("attribution/", views.attribute, name="attribute"),
    path("attribution/decoy-contact/", views.decoy_contact, name="decoy_contact"),
    path("incidents/<int:incident_id>/", views.incident, name="incident"),
]

from django.urls import path

from polity.deadlines import views

app_name = "deadlines"
urlpatterns = [path("", views.deadlines, name="list")]

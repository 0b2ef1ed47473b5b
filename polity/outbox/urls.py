from django.urls import path

from polity.outbox import views

app_name = "outbox"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("bounce/", views.bounce, name="bounce"),
    path("dispatches/<int:dispatch_id>/", views.deliveries, name="deliveries"),
    path("caught/", views.caught_list, name="caught_list"),
    path("caught/<int:pk>/", views.caught_detail, name="caught_detail"),
]

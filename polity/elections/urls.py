from django.urls import path

from polity.elections import views

app_name = "elections"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("<int:election_id>/", views.detail, name="detail"),
    path("<int:election_id>/vote/", views.vote, name="vote"),
    path("<int:election_id>/receipt/", views.receipt, name="receipt"),
    path("<int:election_id>/stand/", views.stand, name="stand"),
    path("<int:election_id>/files/<str:name>", views.files, name="files"),
    path("<int:election_id>/manage/", views.manage, name="manage"),
    path("<int:election_id>/papers/", views.papers, name="papers"),
    path("<int:election_id>/nominations/", views.body_nominate, name="body_nominate"),
    path("<int:election_id>/agents/", views.agents, name="agents"),
    path("<int:election_id>/steps/<slug:name>/", views.step, name="step"),
    path("<int:election_id>/candidates/<int:candidate_id>/decide/", views.decide, name="decide"),
]

from django.urls import path

from polity.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.my_meetings, name="mine"),
    path("feed/renew/", views.feed_renew, name="feed_renew"),
    path("feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feed/<str:secret>.ics", views.feed, name="feed"),
    path("bodies/<int:body_id>/", views.body, name="body"),
    path("bodies/<int:body_id>/call/", views.call, name="call"),
    path("bodies/<int:body_id>/requisition/", views.requisition_start, name="requisition_start"),
    path("requisitions/<int:requisition_id>/sign/", views.requisition_sign, name="requisition_sign"),
    path("<int:meeting_id>/", views.meeting, name="meeting"),
    path("<int:meeting_id>/notice/", views.notice, name="notice"),
    path("<int:meeting_id>/vote/", views.vote_page, name="vote"),
    path("<int:meeting_id>/results/", views.results_page, name="results"),
    path("<int:meeting_id>/<slug:action>/", views.act, name="act"),
    path("referrals/<int:referral_id>/", views.referral, name="referral"),
]

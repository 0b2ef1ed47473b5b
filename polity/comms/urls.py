from django.urls import path

from polity.comms import views

app_name = "comms"
urlpatterns = [
    path("me/consents/", views.my_consents, name="my_consents"),
    path("comms/audiences/", views.audiences, name="audiences"),
    path("comms/audiences/<int:audience_id>/", views.audience, name="audience"),
    path("comms/messages/", views.messages, name="messages"),
    path("comms/messages/new/", views.message_new, name="message_new"),
    path("comms/messages/<int:message_id>/", views.message, name="message"),
    path("comms/messages/<int:message_id>/edit/", views.message_edit, name="message_edit"),
    path("comms/messages/<int:message_id>/delete/", views.message_delete_view, name="message_delete"),
    path("comms/messages/<int:message_id>/preview/", views.message_preview_view, name="message_preview"),
    path("comms/messages/<int:message_id>/test/", views.message_test_view, name="message_test"),
    path("comms/messages/<int:message_id>/send/", views.message_send_view, name="message_send"),
    path("comms/messages/<int:message_id>/approve/", views.message_approve_view, name="message_approve"),
    path("comms/members/<int:member_id>/consents/", views.member_consents, name="member_consents"),
    path("comms/notice-request/", views.notice_request, name="notice_request"),
    path("comms/messages/<int:message_id>/refuse/", views.message_refuse_view, name="message_refuse"),
    path("comms/units/<int:unit_id>/sender/", views.unit_sender, name="unit_sender"),
]

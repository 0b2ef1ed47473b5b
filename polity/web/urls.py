from django.urls import path

from polity.web.views import enrolment, members, membership, offices, pages, picker, tokens

app_name = "web"
urlpatterns = [
    path("", pages.home, name="home"),
    path("me/", pages.me, name="me"),
    path("me/contact/", membership.me_contact, name="me_contact"),
    path("me/renew/", membership.me_renew, name="me_renew"),
    path("me/sections/", membership.me_sections, name="me_sections"),
    path("me/resign/", membership.me_resign, name="me_resign"),
    path(
        "me/resignations/<int:resignation_id>/withdraw/",
        membership.me_resignation_withdraw,
        name="me_resignation_withdraw",
    ),
    path(
        "me/resignations/<int:resignation_id>/dispute/",
        membership.me_resignation_dispute,
        name="me_resignation_dispute",
    ),
    path(
        "resignations/<int:resignation_id>/letter/",
        membership.resignation_letter_view,
        name="resignation_letter",
    ),
    path("members/", members.members, name="members"),
    path("members/<int:member_id>/", members.member, name="member"),
    path("members/<int:member_id>/payment/", members.member_payment, name="member_payment"),
    path("members/<int:member_id>/status/", members.member_status, name="member_status"),
    path("members/<int:member_id>/resignation/", members.member_resignation, name="member_resignation"),
    path("members/<int:member_id>/transfer/", members.member_move, name="member_transfer"),
    path("members/<int:member_id>/access-log/", members.member_access_log, name="member_access_log"),
    path("people/matches/", picker.person_matches, name="person_matches"),
    path("units/", pages.units, name="units"),
    path("units/<int:unit_id>/", pages.unit, name="unit"),
    path("offices/<int:term_id>/body-decision/", offices.office_decision_view, name="office_decision"),
    path("me/offices/<int:term_id>/resign/", offices.office_resign_view, name="office_resign"),
    path("restrictions/", offices.restrictions, name="restrictions"),
    path("restrictions/<int:restriction_id>/", offices.restriction, name="restriction"),
    path("grants/", pages.grants, name="grants"),
    path("grants/<int:grant_id>/revoke/", pages.grant_revoke_view, name="grant_revoke"),
    path("audit/", pages.audit, name="audit"),
    path("audit/verify/", pages.audit_verify_now, name="audit_verify"),
    path("me/tokens/", tokens.tokens, name="tokens"),
    path("me/tokens/<int:token_id>/revoke/", tokens.token_revoke_view, name="token_revoke"),
    path("operator/enrolment-codes/", enrolment.enrolment_code, name="enrolment_code"),
]

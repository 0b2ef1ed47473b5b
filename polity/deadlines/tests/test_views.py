"""The deadlines page: officers see their units' deadlines and those escalated to them; others get 404."""

from datetime import timedelta

from django.urls import reverse

from polity.common.actor import Actor
from polity.deadlines.services import deadline_open, deadlines_escalate


def sign_in(client, user):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_the_unit_above_sees_a_missed_deadline(org, client):
    from django.utils import timezone

    deadline_open(
        actor=Actor.system(),
        rule_key="deadlines.complaint_acknowledgement",
        start=timezone.now() - timedelta(days=30),
        owner_unit=org.units["north_a_1"],
        subject_type="motion",
        subject_id=7,
        title="M-7: acknowledge the motion",
    )
    deadlines_escalate(actor=Actor.system())
    page = sign_in(client, org.users["secretary"]).get(reverse("deadlines:list"))
    assert page.status_code == 200
    assert b"M-7: acknowledge the motion" in page.content and b"North A (level 1)" in page.content


def test_a_member_gets_404(org, client):
    assert sign_in(client, org.users["member"]).get(reverse("deadlines:list")).status_code == 404

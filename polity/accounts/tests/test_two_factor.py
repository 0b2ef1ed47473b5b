"""Two-factor sign-in: who must use it, setting it up, codes from the app and backup codes."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from polity.accounts.enrolment import enrolment_code_issue
from polity.accounts.services import (
    backup_codes_create,
    second_factor_check,
    totp_device_begin,
    totp_device_confirm,
    totp_provisioning,
)
from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput


def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_login(client, name):
    response = client.post(reverse("accounts:login"), {"username": name, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("name", ["national", "regional", "secretary", "branchsec", "dpo"])
def test_officers_are_sent_to_the_second_step(client, org, name):
    password_login(client, name)
    response = client.get(reverse("web:members"))
    # the second step remembers where the officer was going
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify") + "?next=" + quote(
        reverse("web:members"), safe=""
    )
    # with no device yet, the second step is setting one up
    assert client.get(reverse("accounts:verify"))["Location"] == reverse("accounts:setup")


@pytest.mark.parametrize("name", ["member", "member2", "outsider"])
def test_members_without_offices_need_no_second_factor(client, org, name):
    password_login(client, name)
    response = client.get(reverse("web:home"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("web:me")


def test_an_officer_sets_up_an_authenticator_and_gets_backup_codes(client, org):
    _row, enrolment_code = enrolment_code_issue(actor=Actor.system(), user=org.users["secretary"])
    password_login(client, "secretary")
    assert client.get(reverse("accounts:setup"))["Location"] == reverse("accounts:enrol")
    entered = client.post(reverse("accounts:enrol"), {"code": enrolment_code})
    assert entered["Location"] == reverse("accounts:setup")
    page = client.get(reverse("accounts:setup"))
    assert page.status_code == 200 and "<svg" in page.text
    device = TOTPDevice.objects.get(user=org.users["secretary"], confirmed=False)
    assert page.context["provisioning"].secret in page.text
    wrong = client.post(reverse("accounts:setup"), {"device_id": device.pk, "token": "000000"})
    assert wrong.status_code == 200 and "not right" in wrong.text
    done = client.post(reverse("accounts:setup"), {"device_id": device.pk, "token": code(device)})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("web:members")).status_code == 200  # verified in this session
    verbs = list(Event.objects.order_by("seq").values_list("verb", flat=True))[-5:-1]
    assert verbs == [
        "account.enrolment_issue",
        "account.enrolment_use",
        "account.totp_confirm",
        "account.backup_codes",
    ]


def test_a_member_who_needs_no_second_factor_turns_it_on_without_a_code(client, org):
    password_login(client, "member")
    page = client.get(reverse("accounts:setup"))
    assert page.status_code == 200 and "<svg" in page.text
    device = TOTPDevice.objects.get(user=org.users["member"], confirmed=False)
    done = client.post(reverse("accounts:setup"), {"device_id": device.pk, "token": code(device)})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed


def test_a_wrong_code_slows_the_next_attempt(client, org):
    user = org.users["secretary"]
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    password_login(client, "secretary")
    assert client.post(reverse("accounts:verify"), {"token": "123456"}).status_code == 200
    throttled = client.post(reverse("accounts:verify"), {"token": code(device)})
    assert throttled.status_code == 200  # even the right code waits out the throttle
    assert client.get(reverse("web:members")).status_code == 302


def test_an_officer_signs_in_with_the_app_code(client, org, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = org.users["secretary"]
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    password_login(client, "secretary")
    bad = client.post(reverse("accounts:verify"), {"token": "123456"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert client.get(reverse("web:members")).status_code == 302
    good = client.post(reverse("accounts:verify"), {"token": code(device)})
    assert good.status_code == 302
    assert client.get(reverse("web:members")).status_code == 200


def test_a_backup_code_works_once(client, org, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = org.users["regional"]
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    codes = backup_codes_create(actor=Actor.system(), user=user)
    password_login(client, "regional")
    assert client.post(reverse("accounts:verify"), {"token": codes[0]}).status_code == 302
    assert client.get(reverse("web:members")).status_code == 200
    assert second_factor_check(user=user, token=codes[0]) is None
    assert second_factor_check(user=user, token=codes[1]) is not None


def test_a_password_alone_cannot_add_a_device_once_one_is_confirmed(client, org):
    user = org.users["secretary"]
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    password_login(client, "secretary")
    assert client.get(reverse("accounts:setup"))["Location"] == reverse("accounts:verify")
    assert client.post(reverse("accounts:backup_codes"))["Location"] == reverse("accounts:verify")
    assert not StaticDevice.objects.filter(user=user).exists()
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_devices_are_set_up_only_by_their_holder_or_the_system(org):
    user = org.users["member"]
    with pytest.raises(Forbidden):
        totp_device_begin(actor=org.actor("national"), user=user)
    with pytest.raises(Forbidden):
        backup_codes_create(actor=org.actor("national"), user=user)
    device = totp_device_begin(actor=org.actor("member"), user=user)
    assert totp_device_begin(actor=org.actor("member"), user=user) == device  # resumes the same set-up
    with pytest.raises(InvalidInput):
        totp_device_confirm(actor=org.actor("member"), user=user, device_id=device.pk, token="12")
    provisioning = totp_provisioning(device)
    assert provisioning.uri.startswith("otpauth://totp/") and "issuer=Polity" in provisioning.uri
    assert provisioning.secret.replace(" ", "") in provisioning.uri


def test_sign_out(client, org):
    password_login(client, "member")
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("web:me"))["Location"].startswith(reverse("accounts:login"))


def test_the_admin_needs_a_verified_second_factor(client, org):
    from polity.accounts.models import User

    User.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    client.post(reverse("accounts:login"), {"username": "root", "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302  # to the second step, not into the admin


def test_the_log_is_read_only_in_the_admin(org, rf):
    from django.contrib import admin

    from polity.audit.models import Event as EventModel

    model_admin = admin.site._registry[EventModel]
    request = rf.get("/admin/")
    request.user = org.users["national"]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, None)
    assert not model_admin.has_delete_permission(request, None)
    from django_otp.admin import OTPAdminSite

    assert isinstance(admin.site, OTPAdminSite)


def test_a_verified_superuser_reads_the_log_in_the_admin_but_cannot_change_it(client, org):
    from django_otp import DEVICE_ID_SESSION_KEY

    from polity.accounts.models import User

    root = User.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    device = TOTPDevice.objects.create(user=root, name="app", confirmed=True)
    client.force_login(root)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    event = Event.objects.order_by("seq").first()
    assert client.get("/admin/audit/event/").status_code == 200
    assert client.get(f"/admin/audit/event/{event.pk}/change/").status_code == 200  # a read-only view
    assert client.get("/admin/audit/event/add/").status_code == 403
    assert client.post(f"/admin/audit/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()

"""A device a member set up without an enrolment code stops counting once the account needs a second factor.

Whoever had the member's password could have enrolled their own phone then (decision 0008). After the
appointment the account is treated as one without a device: it enrols anew with a code from an operator.
"""

import logging

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from polity.access.services import office_appoint
from polity.accounts.enrolment import enrolment_code_issue
from polity.accounts.models import User
from polity.accounts.services import (
    has_usable_device,
    second_factor_check,
    second_factor_trusted,
    totp_device_begin,
    totp_device_confirm,
)
from polity.accounts.tests.test_enrolment import app_code, password_login
from polity.common.actor import Actor

SYSTEM = Actor.system("test")


def next_code(device):
    """The app's code for the next time step: the one just used to confirm the device is not taken twice."""
    t0 = device.t0 - device.step
    return f"{totp(device.bin_key, step=device.step, t0=t0, digits=device.digits):06d}"


def self_enrol(client, org, name="member"):
    """The member turns on two-step sign-in with nothing but the password; returns the app and backup codes."""
    password_login(client, name)
    client.get(reverse("accounts:setup"))
    device = TOTPDevice.objects.get(user=org.users[name], confirmed=False)
    done = client.post(reverse("accounts:setup"), {"device_id": device.pk, "token": app_code(device)})
    assert done.status_code == 200
    return device, done.context["codes"]


def appoint(org, name="member"):
    office_appoint(
        actor=Actor.system(), person=org.people[name], office="secretary", unit=org.units["north_a_1"]
    )


def fresh(org, name="member"):
    return User.objects.get(pk=org.users[name].pk)


def test_a_member_keeps_using_a_self_enrolled_app(client, org, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    phone, backups = self_enrol(client, org)
    user = fresh(org)
    assert user.second_factor_self_enrolled and second_factor_trusted(user)
    client.logout()
    password_login(client, "member")
    assert client.post(reverse("accounts:verify"), {"token": next_code(phone)}).status_code == 302
    assert second_factor_check(user=user, token=backups[0]) is not None


def test_after_an_appointment_a_self_enrolled_app_and_its_backup_codes_do_not_verify(
    client, org, settings, caplog
):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    phone, backups = self_enrol(client, org)
    client.logout()
    appoint(org)
    user = fresh(org)
    assert not second_factor_trusted(user) and not has_usable_device(user)
    caplog.set_level(logging.DEBUG)

    password_login(client, "member")
    assert client.get(reverse("web:members"))["Location"].startswith(reverse("accounts:verify"))
    for token in (next_code(phone), backups[0]):
        attempt = client.post(reverse("accounts:verify"), {"token": token})
        assert attempt["Location"] == reverse("accounts:setup")
        assert client.get(reverse("web:members")).status_code == 302  # not verified
        assert second_factor_check(user=user, token=token) is None
        assert token not in caplog.text
    assert client.get(reverse("accounts:setup"))["Location"] == reverse("accounts:enrol")
    assert client.get(reverse("accounts:security")).context["has_device"] is False
    assert client.post(reverse("accounts:backup_codes"))["Location"] == reverse("accounts:verify")

    # with a code from an operator the officer enrols a new app, which replaces the old devices
    _row, code = enrolment_code_issue(actor=SYSTEM, user=user)
    assert client.post(reverse("accounts:enrol"), {"code": code})["Location"] == reverse("accounts:setup")
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(reverse("accounts:setup"), {"device_id": new.pk, "token": app_code(new)})
    assert done.status_code == 200
    assert client.get(reverse("web:members")).status_code == 200
    assert list(TOTPDevice.objects.filter(user=user)) == [new]
    assert StaticDevice.objects.filter(user=user).count() == 1
    user = fresh(org)
    assert not user.second_factor_self_enrolled and second_factor_trusted(user)
    assert second_factor_check(user=user, token=backups[1]) is None
    assert second_factor_check(user=user, token=done.context["codes"][0]) is not None


def test_a_session_verified_before_the_appointment_is_not_verified_after_it(client, org):
    self_enrol(client, org)  # this session passed the second factor with the self-enrolled app
    assert client.get(reverse("accounts:security")).status_code == 200
    appoint(org)
    assert client.get(reverse("web:members"))["Location"].startswith(reverse("accounts:verify"))
    assert client.get(reverse("accounts:verify"))["Location"] == reverse("accounts:setup")
    assert client.get(reverse("accounts:setup"))["Location"] == reverse("accounts:enrol")
    assert client.post(reverse("accounts:backup_codes"))["Location"] == reverse("accounts:verify")


def test_an_app_added_from_a_session_the_self_enrolled_app_verified_is_not_trusted_either(client, org):
    self_enrol(client, org)
    user = fresh(org)
    second = totp_device_begin(actor=org.actor("member"), user=user, session_verified=True)
    totp_device_confirm(
        actor=org.actor("member"),
        user=user,
        device_id=second.pk,
        token=app_code(second),
        session_verified=True,
    )
    appoint(org)
    user = fresh(org)
    assert user.second_factor_self_enrolled and not has_usable_device(user)
    assert second_factor_check(user=user, token=next_code(second)) is None


def test_an_app_enrolled_with_a_code_keeps_working_after_an_appointment(client, org, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = org.users["member"]
    _row, code = enrolment_code_issue(actor=SYSTEM, user=user)
    password_login(client, "member")
    client.post(reverse("accounts:enrol"), {"code": code})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert (
        client.post(
            reverse("accounts:setup"), {"device_id": device.pk, "token": app_code(device)}
        ).status_code
        == 200
    )
    client.logout()
    appoint(org)
    assert not fresh(org).second_factor_self_enrolled
    password_login(client, "member")
    assert client.post(reverse("accounts:verify"), {"token": next_code(device)}).status_code == 302
    assert client.get(reverse("web:members")).status_code == 200


def test_a_device_the_system_made_keeps_working_after_an_appointment(client, org, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=org.users["member"], name="Authenticator", confirmed=True)
    appoint(org)
    password_login(client, "member")
    assert client.post(reverse("accounts:verify"), {"token": next_code(device)}).status_code == 302
    assert client.get(reverse("web:members")).status_code == 200

"""Enrolment codes: a password alone never sets up the second factor of an account that needs one.

Personas from the root conftest: `secretary`, `regional`, `national` are officers (they need a second
factor), `member` is not; `root` is a superuser (an operator) made here.
"""

import io
import json
import logging
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from polity.access.policy import may_issue_enrolment_code
from polity.accounts.enrolment import (
    enrolment_code_issue,
    enrolment_code_redeem,
    enrolment_device,
    normalise,
)
from polity.accounts.models import EnrolmentCode, User
from polity.accounts.services import (
    backup_codes_create,
    second_factor_check,
    totp_device_begin,
    totp_device_confirm,
)
from polity.audit.models import Event
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput

SYSTEM = Actor.system("test")


def app_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_login(client, name):
    response = client.post(reverse("accounts:login"), {"username": name, "password": PASSWORD})
    assert response.status_code == 302
    return client


def issue(org, name):
    _row, code = enrolment_code_issue(actor=SYSTEM, user=org.users[name])
    return code


def live(user):
    return EnrolmentCode.objects.get(user=user, used_at__isnull=True, voided_at__isnull=True)


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.invalid", PASSWORD)


def verified_as(client, user):
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="app", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# --- Without a code, a password sets up nothing -------------------------------------------------------


def test_an_officer_without_a_device_is_asked_for_an_enrolment_code(client, org):
    password_login(client, "secretary")
    assert client.get(reverse("accounts:verify"))["Location"] == reverse("accounts:setup")
    assert client.get(reverse("accounts:setup"))["Location"] == reverse("accounts:enrol")
    page = client.get(reverse("accounts:enrol"))
    assert page.status_code == 200 and "Enrolment code" in page.text and "<svg" not in page.text
    assert not TOTPDevice.objects.filter(user=org.users["secretary"]).exists()  # no secret was made


def test_enrolling_without_a_code_is_refused(client, org):
    user = org.users["secretary"]
    with pytest.raises(Forbidden):
        totp_device_begin(actor=org.actor("secretary"), user=user)
    # a device made some other way (say, left over from before the officer's appointment) cannot be confirmed
    stray = TOTPDevice.objects.create(user=user, name="stray", confirmed=False)
    with pytest.raises(Forbidden):
        totp_device_confirm(
            actor=org.actor("secretary"), user=user, device_id=stray.pk, token=app_code(stray)
        )
    password_login(client, "secretary")
    posted = client.post(reverse("accounts:setup"), {"device_id": stray.pk, "token": app_code(stray)})
    assert posted["Location"] == reverse("accounts:enrol")
    # naming the device in the session by hand does not help either: no code made it
    session = client.session
    session["polity_enrolment_device"] = stray.pk
    session.save()
    assert client.get(reverse("accounts:setup"))["Location"] == reverse("accounts:enrol")
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get(reverse("web:members")).status_code == 302  # still not through the second step


def test_an_empty_code_is_refused(client, org):
    issue(org, "secretary")
    password_login(client, "secretary")
    response = client.post(reverse("accounts:enrol"), {"code": ""})
    assert response.status_code == 422
    assert live(org.users["secretary"]).attempts == 0  # the form refused it before the service


# --- The journey -------------------------------------------------------------------------------------


def test_an_officer_enrols_with_the_code_an_operator_gave_them(client, org):
    code = issue(org, "secretary")
    password_login(client, "secretary")
    entered = client.post(reverse("accounts:enrol"), {"code": code.lower().replace("-", " ")})
    assert entered["Location"] == reverse("accounts:setup")
    page = client.get(reverse("accounts:setup"))
    assert page.status_code == 200 and "<svg" in page.text and "stop working" not in page.text
    device = TOTPDevice.objects.get(user=org.users["secretary"], confirmed=False)
    done = client.post(reverse("accounts:setup"), {"device_id": device.pk, "token": app_code(device)})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert client.get(reverse("web:members")).status_code == 200
    row = EnrolmentCode.objects.get(user=org.users["secretary"])
    assert row.used_at is not None and row.device_id == device.pk and row.voided_at is None


def test_the_new_device_is_shown_only_to_the_session_that_entered_the_code(client, org):
    from django.test import Client

    code = issue(org, "secretary")
    password_login(client, "secretary")
    client.post(reverse("accounts:enrol"), {"code": code})
    device = TOTPDevice.objects.get(user=org.users["secretary"], confirmed=False)
    other = password_login(Client(), "secretary")  # someone else holding only the password
    assert other.get(reverse("accounts:setup"))["Location"] == reverse("accounts:enrol")
    assert (
        enrolment_device(actor=org.actor("regional"), user=org.users["secretary"], device_id=device.pk)
        is None
    )
    # and confirming it needs the secret, which only the first session was shown
    refused = other.post(reverse("accounts:setup"), {"device_id": device.pk, "token": "000000"})
    assert refused["Location"] == reverse("accounts:enrol")


def test_a_verified_session_adds_a_device_without_a_code(client, org):
    user = org.users["secretary"]
    verified_as(client, user)
    page = client.get(reverse("accounts:setup"))
    assert page.status_code == 200 and "<svg" in page.text
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("accounts:setup"), {"device_id": new.pk, "token": app_code(new)})
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 2  # the old one stays
    assert not EnrolmentCode.objects.exists()


def test_a_verified_session_never_resumes_the_device_a_code_made(org):
    user = org.users["secretary"]
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    from_code = enrolment_code_redeem(actor=org.actor("secretary"), user=user, code=issue(org, "secretary"))
    added = totp_device_begin(actor=org.actor("secretary"), user=user, session_verified=True)
    assert added != from_code
    totp_device_confirm(
        actor=org.actor("secretary"),
        user=user,
        device_id=added.pk,
        token=app_code(added),
        session_verified=True,
    )
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 2  # adding did not replace


# --- Refusals of the code itself ----------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_counted(client, org):
    user = org.users["secretary"]
    code = issue(org, "secretary")
    password_login(client, "secretary")
    response = client.post(reverse("accounts:enrol"), {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 422 and "4 tries left" in response.text
    assert live(user).attempts == 1 and not TOTPDevice.objects.filter(user=user).exists()
    assert client.get(reverse("accounts:setup"))["Location"] == reverse("accounts:enrol")
    # the right code still works while tries are left
    assert client.post(reverse("accounts:enrol"), {"code": code})["Location"] == reverse("accounts:setup")


def test_the_code_is_void_after_the_attempt_limit(org, settings):
    settings.POLITY_ENROLMENT_CODE_ATTEMPTS = 3
    user = org.users["secretary"]
    code = issue(org, "secretary")
    for _ in range(3):
        with pytest.raises(InvalidInput):
            enrolment_code_redeem(actor=org.actor("secretary"), user=user, code="0000-0000-0000-0000")
    row = EnrolmentCode.objects.get(user=user)
    assert row.voided_at is not None and row.void_reason == "attempts" and row.attempts == 3
    with pytest.raises(InvalidInput, match="no enrolment code waiting"):
        enrolment_code_redeem(actor=org.actor("secretary"), user=user, code=code)
    assert not TOTPDevice.objects.filter(user=user).exists()
    event = Event.objects.get(verb="account.enrolment_void")
    assert event.subject_ids == [org.people["secretary"].pk]
    assert json.loads(event.data) == {"attempts": 3, "enrolment_code_id": row.pk, "reason": "attempts"}


def test_an_expired_code_is_refused(org, settings):
    settings.POLITY_ENROLMENT_CODE_HOURS = 1
    user = org.users["secretary"]
    code = issue(org, "secretary")
    row = live(user)
    assert row.expires_at - row.created_at == timedelta(hours=1)
    past = timezone.now() - timedelta(hours=2)
    EnrolmentCode.objects.filter(pk=row.pk).update(created_at=past, expires_at=past + timedelta(hours=1))
    with pytest.raises(InvalidInput, match="expired"):
        enrolment_code_redeem(actor=org.actor("secretary"), user=user, code=code)
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_the_validity_defaults_to_72_hours(org):
    issue(org, "secretary")
    row = live(org.users["secretary"])
    assert row.expires_at - row.created_at == timedelta(hours=72)


def test_a_used_code_is_refused_the_second_time(org):
    user = org.users["secretary"]
    code = issue(org, "secretary")
    first = enrolment_code_redeem(actor=org.actor("secretary"), user=user, code=code)
    with pytest.raises(InvalidInput):
        enrolment_code_redeem(actor=org.actor("secretary"), user=user, code=code)
    assert list(TOTPDevice.objects.filter(user=user)) == [first]  # the second try made nothing


def test_another_users_code_is_refused(org):
    secretary, regional = org.users["secretary"], org.users["regional"]
    secretarys = issue(org, "secretary")
    with pytest.raises(InvalidInput, match="no enrolment code waiting"):
        enrolment_code_redeem(actor=org.actor("regional"), user=regional, code=secretarys)
    issue(org, "regional")
    with pytest.raises(InvalidInput, match="not right"):
        enrolment_code_redeem(actor=org.actor("regional"), user=regional, code=secretarys)
    assert live(regional).attempts == 1  # counted against regional's own code
    assert live(secretary).attempts == 0
    # nor may one person redeem another's code on that person's account
    with pytest.raises(Forbidden):
        enrolment_code_redeem(actor=org.actor("regional"), user=secretary, code=secretarys)
    assert enrolment_code_redeem(actor=org.actor("secretary"), user=secretary, code=secretarys)


def test_a_new_code_voids_the_old_one(org):
    user = org.users["secretary"]
    old = issue(org, "secretary")
    new = issue(org, "secretary")
    assert old != new
    assert EnrolmentCode.objects.filter(user=user, void_reason="replaced").count() == 1
    with pytest.raises(InvalidInput):
        enrolment_code_redeem(actor=org.actor("secretary"), user=user, code=old)
    assert enrolment_code_redeem(actor=org.actor("secretary"), user=user, code=new)
    issued = Event.objects.filter(verb="account.enrolment_issue").order_by("seq")
    assert json.loads(issued[1].data)["voided_code_ids"] == [json.loads(issued[0].data)["enrolment_code_id"]]


def test_the_database_holds_at_most_one_live_code_per_user(org):
    user = org.users["secretary"]
    issue(org, "secretary")
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentCode.objects.create(
            user=user, digest="0" * 64, created_at=now, expires_at=now + timedelta(hours=1)
        )


def test_codes_are_stored_only_as_a_hash(org):
    code = issue(org, "secretary")
    row = live(org.users["secretary"])
    assert row.digest == EnrolmentCode.digest_of(normalise(code)) and normalise(code) not in row.digest
    assert len(normalise(code)) == 16 and normalise("o1l-i") == "0111"


def test_a_deactivated_account_gets_no_code(org):
    user = org.users["secretary"]
    user.is_active = False
    user.save()
    with pytest.raises(DomainError, match="deactivated"):
        enrolment_code_issue(actor=SYSTEM, user=user)


def test_the_limits_must_be_positive(org, settings):
    settings.POLITY_ENROLMENT_CODE_HOURS = 0
    with pytest.raises(ImproperlyConfigured):
        enrolment_code_issue(actor=SYSTEM, user=org.users["secretary"])


# --- Who issues ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["national", "regional", "secretary", "dpo", "member"])
def test_only_an_operator_may_issue_a_code(org, name):
    assert not may_issue_enrolment_code(org.actor(name))
    with pytest.raises(Forbidden):
        enrolment_code_issue(actor=org.actor(name), user=org.users["secretary"])
    assert not EnrolmentCode.objects.exists()
    assert may_issue_enrolment_code(SYSTEM)


@pytest.mark.parametrize("name", ["national", "dpo"])
def test_the_issuing_page_is_not_found_for_officers(client, org, name):
    verified_as(client, org.users[name])
    url = reverse("web:enrolment_code")
    assert client.get(url).status_code == 404
    assert client.post(url, {"username": "secretary"}).status_code == 404
    assert not EnrolmentCode.objects.exists()
    assert "enrolment code" not in client.get(reverse("accounts:security")).text.lower()


def test_an_unverified_operator_is_sent_to_the_second_step_first(client, org, root):
    TOTPDevice.objects.create(user=root, name="app", confirmed=True)
    password_login(client, "root")
    response = client.post(reverse("web:enrolment_code"), {"username": "secretary"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:verify"))
    assert not EnrolmentCode.objects.exists()


def test_an_operator_issues_a_code_in_the_web_and_it_works(client, org, root):
    verified_as(client, root)
    assert "Issue an enrolment code" in client.get(reverse("accounts:security")).text
    page = client.get(reverse("web:enrolment_code"))
    assert page.status_code == 200
    unknown = client.post(reverse("web:enrolment_code"), {"username": "nobody"})
    assert unknown.status_code == 422 and "no account" in unknown.text
    issued = client.post(reverse("web:enrolment_code"), {"username": "secretary"})
    assert issued.status_code == 200 and issued["Cache-Control"].startswith("max-age=0")
    code = issued.context["issued"]["code"]
    assert code in issued.text and "stop working" not in issued.text
    event = Event.objects.get(verb="account.enrolment_issue")
    assert event.actor_label == "root" and event.subject_ids == [org.people["secretary"].pk]
    user = org.users["secretary"]
    assert enrolment_code_redeem(actor=org.actor("secretary"), user=user, code=code)


# --- The command line ---------------------------------------------------------------------------------


def test_the_command_prints_a_working_code_as_its_last_word(org):
    out, err = io.StringIO(), io.StringIO()
    call_command("enrolment_code", "secretary", stdout=out, stderr=err)
    code = out.getvalue().split()[-1]
    assert "secretary" in err.getvalue() and code not in err.getvalue()
    user = org.users["secretary"]
    device = enrolment_code_redeem(actor=org.actor("secretary"), user=user, code=code)
    totp_device_confirm(actor=org.actor("secretary"), user=user, device_id=device.pk, token=app_code(device))
    assert Event.objects.get(verb="account.enrolment_issue").actor_label == "cli:enrolment-code"


def test_the_command_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match="no account"):
        call_command("enrolment_code", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


# --- Lost phone --------------------------------------------------------------------------------------


def test_a_lost_phone_is_replaced_with_a_code_and_the_old_devices_stop_working(client, org, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    user = org.users["secretary"]
    lost = TOTPDevice.objects.create(user=user, name="lost phone", confirmed=True)
    old_backups = backup_codes_create(actor=SYSTEM, user=user)
    code = issue(org, "secretary")
    issued = json.loads(Event.objects.get(verb="account.enrolment_issue").data)
    assert issued["has_devices"] is True

    password_login(client, "secretary")
    assert 'href="/accounts/enrol/"' in client.get(reverse("accounts:verify")).text
    assert "stop working" in client.get(reverse("accounts:enrol")).text
    client.post(reverse("accounts:enrol"), {"code": code})
    page = client.get(reverse("accounts:setup"))
    assert page.status_code == 200 and "stop working" in page.text
    # until the new app is confirmed, the old one still signs in
    assert second_factor_check(user=user, token=app_code(lost)) is not None

    new = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(reverse("accounts:setup"), {"device_id": new.pk, "token": app_code(new)})
    assert done.status_code == 200
    assert list(TOTPDevice.objects.filter(user=user)) == [new]
    assert second_factor_check(user=user, token=old_backups[0]) is None
    assert second_factor_check(user=user, token=done.context["codes"][0]) is not None
    assert StaticDevice.objects.filter(user=user).count() == 1
    confirm = Event.objects.get(verb="account.totp_confirm")
    used = EnrolmentCode.objects.get(user=user)
    assert json.loads(confirm.data) == {"devices_replaced": 2, "enrolment_code_id": used.pk}


# --- What is written down ------------------------------------------------------------------------------


def test_every_step_is_in_the_log_and_no_code_or_secret_is(client, org, caplog):
    caplog.set_level(logging.DEBUG)
    user = org.users["secretary"]
    first = issue(org, "secretary")
    code = issue(org, "secretary")
    with pytest.raises(InvalidInput):
        enrolment_code_redeem(actor=org.actor("secretary"), user=user, code=first)
    password_login(client, "secretary")
    client.post(reverse("accounts:enrol"), {"code": code})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("accounts:setup"), {"device_id": device.pk, "token": app_code(device)})
    verbs = list(Event.objects.filter(object_type="user").order_by("seq").values_list("verb", flat=True))
    assert verbs == [
        "account.enrolment_issue",
        "account.enrolment_issue",
        "account.enrolment_use",
        "account.totp_confirm",
        "account.backup_codes",
    ]
    secrets_ = {first, code, normalise(first), normalise(code), device.key}
    secrets_ |= {EnrolmentCode.digest_of(normalise(c)) for c in (first, code)}
    for event in Event.objects.all():
        text = json.dumps([event.data, event.object_id, event.purpose, event.subjects])
        assert not any(s in text for s in secrets_), event.verb
    assert not any(s in caplog.text for s in secrets_)
    # the member can read, in words, that a code was issued for their account
    from polity.audit.selectors import verb_in_words

    assert verb_in_words("account.enrolment_issue") == "Issued an enrolment code for two-step sign-in"


def test_the_new_pages_have_one_heading_and_labelled_fields(client, org, root):
    from polity.web.tests.test_accessibility import parse

    password_login(client, "secretary")
    wrong = client.post(reverse("accounts:enrol"), {"code": "nope"})
    verified_as(client, root)
    issuing = client.get(reverse("web:enrolment_code"))
    for response in (wrong, issuing):
        page = parse(response.text)
        assert page.h1 == 1 and page.controls and [c for c in page.controls if c not in page.labels] == []
    assert 'id="id_code_error"' in wrong.text and 'aria-invalid="true"' in wrong.text

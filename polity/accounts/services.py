"""Second-factor devices: TOTP set-up and confirmation, static backup codes, checking a code.

A user sets up their own devices (or the system does, for the demo). A password alone never adds a device
to an account that needs a second factor or already has one: that takes a session that passed the second
factor, or a one-time enrolment code an operator issued (polity.accounts.enrolment). A device confirmed
through an enrolment code replaces the account's other devices: the code is how a lost phone is replaced.
Devices a member set up with neither a code nor a verified session stop counting once the account needs a
second factor (second_factor_trusted).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from polity.access.policy import needs_second_factor
from polity.accounts.models import EnrolmentCode, User
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput

TOTP_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"
BACKUP_CODES = 10


def _require_self(actor: Actor, user: User) -> None:
    if not actor.is_system and actor.user_id != user.pk:
        raise Forbidden("only the account holder sets up their second factor")


def audit_account(*, actor: Actor, user: User, verb: str, data: dict[str, Any] | None = None) -> None:
    """The audit event of a change to an account's sign-in (devices, codes), about the person it belongs to."""
    audit_record(
        actor=actor,
        verb=verb,
        subjects=[user.person_id] if user.person_id else [],
        object_type="user",
        object_id=user.pk,
        data=data,
    )


def has_confirmed_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def second_factor_trusted(user: User) -> bool:
    """Whether the account's devices count as a second factor: not when they were self-enrolled without an
    enrolment code (`User.second_factor_self_enrolled`) and the account now needs a second factor, for
    whoever had the member's password then could have enrolled their own phone. Such an account is treated
    as one without a device: it enrols anew with a code, which replaces those devices, and a session one of
    them verified no longer counts as verified (RequireTwoFactorMiddleware). Costs a query only for a
    marked account."""
    return not (user.second_factor_self_enrolled and needs_second_factor(Actor.for_user(user)))


def has_usable_device(user: User) -> bool:
    """A confirmed device that may pass this account's second factor (see second_factor_trusted)."""
    return has_confirmed_device(user) and second_factor_trusted(user)


def enrolment_code_needed(user: User, *, session_verified: bool) -> bool:
    """Whether adding an authenticator app takes an enrolment code: yes, unless the session already passed
    the second factor, or the account has no device and does not need one (a member may turn it on freely)."""
    if session_verified:
        return False
    return has_confirmed_device(user) or needs_second_factor(Actor.for_user(user))


def _refuse_without_code(actor: Actor, user: User, *, session_verified: bool) -> None:
    if not actor.is_system and enrolment_code_needed(user, session_verified=session_verified):
        raise Forbidden("setting up a second factor on this account needs an enrolment code from an operator")


def totp_device_begin(*, actor: Actor, user: User, session_verified: bool = False) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created with a fresh secret if there is none yet.

    Refused when the account needs an enrolment code (see enrolment_code_needed): that path starts with
    polity.accounts.enrolment.enrolment_code_redeem, which makes the device itself.
    """
    _require_self(actor, user)
    _refuse_without_code(actor, user, session_verified=session_verified)
    made_by_codes = EnrolmentCode.objects.filter(user=user, device__isnull=False).values("device_id")
    device = (  # never resume a device an enrolment code made: confirming that one replaces the others
        TOTPDevice.objects.filter(user=user, confirmed=False)
        .exclude(pk__in=made_by_codes)
        .order_by("-id")
        .first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_device_confirm(
    *, actor: Actor, user: User, device_id: int, token: str, session_verified: bool = False
) -> TOTPDevice:
    """Confirm a TOTP device with a code from the app; other unconfirmed devices are discarded.

    A device made by redeeming an enrolment code may always be confirmed by its holder, and then replaces
    every other device of the account (authenticator apps and backup codes). Any other device is confirmed
    only where no enrolment code is needed (see enrolment_code_needed).
    """
    _require_self(actor, user)
    token = token.strip().replace(" ", "")
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
        )
        if device is None:
            raise InvalidInput("device: no such set-up in progress")
        enrolment = EnrolmentCode.objects.filter(user=user, device=device, used_at__isnull=False).first()
        if enrolment is None:
            _refuse_without_code(actor, user, session_verified=session_verified)
        if not token.isdigit() or not device.verify_token(token):
            raise InvalidInput(
                "That code is not right. Check the time on your phone and try the newest code."
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        self_enrolled = user.second_factor_self_enrolled
        if enrolment is not None:
            self_enrolled = False  # the code's device replaces every other, below
        elif not session_verified and not actor.is_system:
            self_enrolled = True  # a password alone, and no code: not trusted once the account needs one
        if self_enrolled != user.second_factor_self_enrolled:
            user.second_factor_self_enrolled = self_enrolled
            User.objects.filter(pk=user.pk).update(second_factor_self_enrolled=self_enrolled)
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        data: dict[str, int] = {}
        if enrolment is not None:
            replaced = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).count()
            replaced += StaticDevice.objects.filter(user=user).count()
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            StaticDevice.objects.filter(user=user).delete()
            data = {"enrolment_code_id": enrolment.pk, "devices_replaced": replaced}
        audit_account(actor=actor, user=user, verb="account.totp_confirm", data=data or None)
    return device


def backup_codes_create(*, actor: Actor, user: User, count: int = BACKUP_CODES) -> list[str]:
    """Replace the user's static backup codes with `count` fresh ones; each works once."""
    _require_self(actor, user)
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(count)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
        audit_account(actor=actor, user=user, verb="account.backup_codes", data={"count": count})
    return codes


def second_factor_check(*, user: User, token: str) -> Device | None:
    """The confirmed device (authenticator app, then backup codes) that accepts `token`, if any; none
    while the account's devices are not trusted (second_factor_trusted).

    A backup code is used up by the check. django-otp's throttling slows repeated wrong guesses.
    """
    token = token.strip().replace(" ", "")
    if not token or not second_factor_trusted(user):
        return None  # self-enrolled devices of an account that now needs a second factor: none is tried
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                return device
    return None


@dataclass(frozen=True)
class Provisioning:
    secret: str  # base32, as authenticator apps ask for it when typed by hand
    uri: str
    qr_svg: str


def totp_provisioning(device: TOTPDevice, *, issuer: str = "Polity") -> Provisioning:
    """What a person needs to add the device to an app: the secret, the otpauth URI and its QR code."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    uri = device.config_url
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=5, dark="#000", light="#fff", title=f"QR code for {issuer}")
    return Provisioning(secret=_grouped(secret), uri=uri, qr_svg=svg)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))

"""Second-factor devices: TOTP set-up and confirmation, static backup codes, checking a code.

A user sets up their own devices (or the system does, for the demo). A confirmed device is never replaced
by someone who has only the password: setting up another one needs a verified session (the view checks).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from polity.accounts.models import User
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import Forbidden, InvalidInput

TOTP_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"
BACKUP_CODES = 10


def _require_self(actor: Actor, user: User) -> None:
    if not actor.is_system and actor.user_id != user.pk:
        raise Forbidden("only the account holder sets up their second factor")


def has_confirmed_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def totp_device_begin(*, actor: Actor, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created with a fresh secret if there is none yet."""
    _require_self(actor, user)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_device_confirm(*, actor: Actor, user: User, device_id: int, token: str) -> TOTPDevice:
    """Confirm a TOTP device with a code from the app; other unconfirmed devices are discarded."""
    _require_self(actor, user)
    token = token.strip().replace(" ", "")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user).first()
        if device is None:
            raise InvalidInput("device: no such set-up in progress")
        if not token.isdigit() or not device.verify_token(token):
            raise InvalidInput(
                "That code is not right. Check the time on your phone and try the newest code."
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit_record(
            actor=actor,
            verb="account.totp_confirm",
            subjects=[user.person_id] if user.person_id else [],
            object_type="user",
            object_id=user.pk,
        )
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
        audit_record(
            actor=actor,
            verb="account.backup_codes",
            subjects=[user.person_id] if user.person_id else [],
            object_type="user",
            object_id=user.pk,
            data={"count": count},
        )
    return codes


def second_factor_check(*, user: User, token: str) -> Device | None:
    """The confirmed device (authenticator app, then backup codes) that accepts `token`, if any.

    A backup code is used up by the check. django-otp's throttling slows repeated wrong guesses.
    """
    token = token.strip().replace(" ", "")
    if not token:
        return None
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

"""Enrolment codes: the one way to set up a second factor with nothing but a password.

An account that needs a second factor (or already has one) cannot add an authenticator app from a session
that has not passed the second factor. Its holder gets a one-time enrolment code out of band (in person, by
phone) from an operator: `polity enrolment-code USERNAME`, or the operators' page. So whoever learns a new
officer's password cannot enrol their own phone before the officer does.

A code is random (80 bits), shown once, stored only as its SHA-256, works once, expires after
settings.POLITY_ENROLMENT_CODE_HOURS and is void after settings.POLITY_ENROLMENT_CODE_ATTEMPTS wrong
tries. A user has at most one live code: issuing another voids it. Redeeming it creates a fresh,
unconfirmed authenticator device that only the redeeming session knows; confirming that device replaces
the account's other devices (polity.accounts.services.totp_device_confirm), which is how a lost phone is
replaced. Issue, use and voiding are audit events; no code is ever in them or in a log.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from polity.access.policy import may_issue_enrolment_code
from polity.accounts.models import EnrolmentCode, User
from polity.accounts.services import TOTP_NAME, audit_account, has_confirmed_device
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput

# Crockford's base32: no I, L, O or U, so a code read out over the phone is not misheard or mistyped.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16  # 80 bits
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _setting(name: str) -> int:
    value = int(getattr(settings, name))
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1 (it is {value})")
    return value


def enrolment_validity() -> timedelta:
    """How long an issued code stays valid (POLITY_ENROLMENT_CODE_HOURS, default 72)."""
    return timedelta(hours=_setting("POLITY_ENROLMENT_CODE_HOURS"))


def enrolment_attempts() -> int:
    """Wrong tries after which a code is void (POLITY_ENROLMENT_CODE_ATTEMPTS, default 5)."""
    return _setting("POLITY_ENROLMENT_CODE_ATTEMPTS")


def normalise(code: str) -> str:
    """What a person typed, as it was issued: case, spaces and dashes do not matter; O reads as 0, I and L as 1."""
    return "".join(c for c in code.upper().translate(_READS_AS) if c.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def _grouped(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def enrolment_code_issue(*, actor: Actor, user: User) -> tuple[EnrolmentCode, str]:
    """A new enrolment code for `user`; any live one is voided. Returns the row and the code, shown once."""
    if not may_issue_enrolment_code(actor):
        raise Forbidden("only an operator issues enrolment codes")
    if not user.is_active:
        raise DomainError("a deactivated account cannot be given an enrolment code")
    raw = _new_code()
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one issuer at a time per user
        replaced = list(
            EnrolmentCode.objects.filter(user=user, used_at__isnull=True, voided_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        EnrolmentCode.objects.filter(pk__in=replaced).update(
            voided_at=now, void_reason=EnrolmentCode.VoidReason.REPLACED
        )
        row = EnrolmentCode.objects.create(
            user=user,
            digest=EnrolmentCode.digest_of(raw),
            created_at=now,
            expires_at=now + enrolment_validity(),
        )
        audit_account(
            actor=actor,
            user=user,
            verb="account.enrolment_issue",
            data={
                "enrolment_code_id": row.pk,
                "expires_at": row.expires_at.isoformat(),
                "voided_code_ids": replaced,
                "has_devices": has_confirmed_device(user),
            },
        )
    return row, _grouped(raw)


def enrolment_code_redeem(*, actor: Actor, user: User, code: str) -> TOTPDevice:
    """Use the account holder's enrolment code: returns a fresh, unconfirmed authenticator device.

    A wrong code counts against the user's live code (whoever's code it was) and the count is kept even
    though the call fails; at the limit the code is void. An expired, used or void code is refused.
    """
    if not actor.is_system and actor.user_id != user.pk:
        raise Forbidden("only the account holder uses their enrolment code")
    typed = normalise(code)
    now = timezone.now()
    refusal: DomainError | None = None
    device: TOTPDevice | None = None
    with transaction.atomic():
        row = (
            EnrolmentCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, voided_at__isnull=True)
            .first()
        )
        if row is None:
            raise InvalidInput(
                "There is no enrolment code waiting for this account. Ask an operator for one."
            )
        if row.expires_at <= now:
            raise InvalidInput("This account's enrolment code has expired. Ask an operator for a new one.")
        if not typed or not hmac.compare_digest(EnrolmentCode.digest_of(typed), row.digest):
            row.attempts += 1
            limit = enrolment_attempts()
            if row.attempts >= limit:
                row.voided_at, row.void_reason = now, EnrolmentCode.VoidReason.ATTEMPTS
                row.save(update_fields=["attempts", "voided_at", "void_reason"])
                audit_account(
                    actor=actor,
                    user=user,
                    verb="account.enrolment_void",
                    data={"enrolment_code_id": row.pk, "reason": row.void_reason, "attempts": row.attempts},
                )
                refusal = InvalidInput(
                    "That code is not right, and it was the last try: the code no longer works. "
                    "Ask an operator for a new one."
                )
            else:
                row.save(update_fields=["attempts"])
                left = limit - row.attempts
                refusal = InvalidInput(
                    f"That code is not right ({left} {'try' if left == 1 else 'tries'} left)."
                )
        else:
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
            row.used_at, row.device = now, device
            row.save(update_fields=["used_at", "device"])
            audit_account(
                actor=actor,
                user=user,
                verb="account.enrolment_use",
                data={"enrolment_code_id": row.pk, "has_devices": has_confirmed_device(user)},
            )
    if refusal is not None:  # raised after the commit, so the wrong try stays counted
        raise refusal
    assert device is not None
    return device


def enrolment_device(*, actor: Actor, user: User, device_id: int | None) -> TOTPDevice | None:
    """The unconfirmed device this user's redeemed enrolment code made, if `device_id` names it.

    The id lives only in the session that redeemed the code, so another session holding just the
    password never sees the new device's secret.
    """
    if device_id is None or (not actor.is_system and actor.user_id != user.pk):
        return None
    code = (
        EnrolmentCode.objects.select_related("device")
        .filter(user=user, device_id=device_id, used_at__isnull=False, device__confirmed=False)
        .first()
    )
    return code.device if code is not None else None

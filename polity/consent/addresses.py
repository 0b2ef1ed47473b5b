"""Normalising and hashing contact addresses, for the suppression list and for address checks."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings

_NON_DIGITS = re.compile(r"\D")


def normalise_email(value: str) -> str:
    return value.strip().lower()


def normalise_phone(value: str) -> str:
    """Digits in international form without "+": "07700 900123" -> "447700900123" (country from settings)."""
    raw = value.strip()
    digits = _NON_DIGITS.sub("", raw)
    if not digits:
        return ""
    if raw.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return getattr(settings, "POLITY_PHONE_COUNTRY_CODE", "44") + digits[1:]
    return digits


def address_kind(channel: str) -> str | None:
    """The address space a channel uses: "email", "phone" (sms and calls) or None (post)."""
    return {"email": "email", "sms": "phone", "phone": "phone"}.get(channel)


def address_hash(kind: str, value: str) -> str:
    """SHA-256 of the normalised address; empty string when there is no address."""
    normal = normalise_email(value) if kind == "email" else normalise_phone(value)
    if not normal:
        return ""
    return hashlib.sha256(f"{kind}:{normal}".encode()).hexdigest()


def address_for(channel: str, *, email: str, phone: str, address_line: str, postcode: str) -> str:
    """The person's address on a channel, or "" when they have none."""
    if channel == "email":
        return email.strip()
    if channel in ("sms", "phone"):
        return phone.strip()
    if channel == "post":
        return (
            f"{address_line.strip()} {postcode.strip()}".strip()
            if address_line.strip() and postcode.strip()
            else ""
        )
    return ""

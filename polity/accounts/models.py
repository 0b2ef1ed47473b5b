"""Accounts: who can sign in, which person on the register they are, their API tokens and enrolment codes."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    person = models.OneToOneField(
        "members.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    # Set when an authenticator app was confirmed from a session that had not passed the second factor and
    # without an enrolment code (a member who needed none). While set, none of the account's devices
    # (apps or backup codes) counts as a second factor once the account needs one; confirming a device
    # made from an enrolment code replaces them all and clears it. See polity.accounts.services.
    second_factor_self_enrolled = models.BooleanField(default=False)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; it acts with its user's permissions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="cli")
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Created by an operator, or by its owner from a session that passed a second factor the account did not
    # set up on its own (User.second_factor_self_enrolled). Only such a token works for an account that needs a
    # second factor: a token made with a password alone stops working when its account is given an office or a
    # grant, and stays refused (polity.accounts.tokens.token_authenticate).
    issued_with_second_factor = models.BooleanField(default=False)

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class EnrolmentCode(models.Model):
    """A one-time code, handed to a person out of band, that lets them set up a second factor.

    Only its SHA-256 is stored. A user has at most one live code (neither used nor void); issuing a new
    one voids the old. Redeeming it creates the one authenticator device that code may confirm (`device`).
    """

    class VoidReason(models.TextChoices):
        REPLACED = "replaced", "a newer code was issued"
        ATTEMPTS = "attempts", "too many wrong attempts"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    device = models.ForeignKey(
        "otp_totp.TOTPDevice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=16, choices=VoidReason.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(used_at__isnull=True, voided_at__isnull=True),
                name="accounts_one_live_enrolment_code",
            ),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(voided_at__isnull=True),
                name="accounts_enrolment_code_used_or_void",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="accounts_enrolment_code_expires_after_issue",
            ),
        ]

    @staticmethod
    def digest_of(code: str) -> str:
        return hashlib.sha256(code.encode()).hexdigest()

"""Accounts: who can sign in, which person on the register they are, and their API tokens."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    person = models.OneToOneField(
        "members.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; it acts with its user's permissions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="cli")
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

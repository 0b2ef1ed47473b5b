"""Test settings: the same as production in everything that matters, faster in what does not."""

import os

os.environ.setdefault("POLITY_DEBUG", "0")

from config.settings import *  # noqa: E402,F403
from config.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ""}
DEBUG = False
ALLOWED_HOSTS = ["*"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
POLITY_EMAIL_URL = "memory://"  # the outbox keeps mail in memory (polity.outbox.transports.memory_outbox)
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

"""Settings of the processes the reliability tests and benchmarks start: real database-backed tasks.

DATABASE_URL and POLITY_EMAIL_URL come from the environment; POLITY_OUTBOX_JSON tunes the outbox
(e.g. short leases and backoff so a test finishes quickly).
"""

import json
import os

from config.settings import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
POLITY_OUTBOX = json.loads(os.environ.get("POLITY_OUTBOX_JSON", "{}"))
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

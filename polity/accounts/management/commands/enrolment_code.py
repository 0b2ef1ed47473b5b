"""`polity enrolment-code USERNAME`: a one-time code with which USERNAME sets up a second factor.

The code is the last word of the output (the notice goes to stderr): `CODE=$(polity enrolment-code alice)`.
Give it to the person out of band (in person, by phone). Issuing a code voids any earlier one; if the account
already has a second factor, confirming a new app with the code replaces it (the lost-phone path).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from polity.accounts.enrolment import enrolment_attempts, enrolment_code_issue
from polity.accounts.services import has_confirmed_device
from polity.accounts.tokens import user_for_username
from polity.common.actor import Actor
from polity.common.errors import DomainError


class Command(BaseCommand):
    help = "Issue a one-time enrolment code for USERNAME's second factor. The code is the last word of the output."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = user_for_username(options["username"])
            row, code = enrolment_code_issue(actor=Actor.system("cli:enrolment-code"), user=user)
        except DomainError as e:
            raise CommandError(str(e)) from e
        replaces = (
            " The account has a second factor already: confirming a new app with this code replaces its app"
            " and backup codes."
            if has_confirmed_device(user)
            else ""
        )
        self.stderr.write(
            f"Enrolment code for {user.get_username()}, valid once until {timezone.localtime(row.expires_at):%Y-%m-%d %H:%M %Z}; "
            f"{enrolment_attempts()} wrong tries void it. Any earlier code no longer works. Give it to them in "
            f"person or by phone; they enter it at /accounts/enrol/ after their password.{replaces}"
        )
        self.stdout.write(code)

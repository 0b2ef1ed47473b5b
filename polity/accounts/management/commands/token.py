"""`polity token create USERNAME [--name N]`, `polity token list USERNAME`, `polity token revoke ID`.

`create` prints the token as the last word of its output: `TOKEN=$(polity token create alice)` (the notice goes to stderr).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from polity.accounts.tokens import token_create, token_list, token_revoke, user_for_username
from polity.common.actor import Actor
from polity.common.errors import DomainError


class Command(BaseCommand):
    help = "Create, list and revoke API tokens. The token is shown once, as the last word of the output."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for USERNAME and print it")
        create.add_argument("username")
        create.add_argument("--name", default="cli", help="what the token is for (default: cli)")
        listing = sub.add_parser("list", help="list USERNAME's tokens (prefixes only)")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("token_id", type=int)
        revoke.add_argument("--reason", default="", help="why (recorded in the access log)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("cli:token")
        try:
            if options["action"] == "create":
                user = user_for_username(options["username"])
                token, raw = token_create(actor=actor, user=user, name=options["name"])
                self.stderr.write(
                    f"API token #{token.pk} ({token.name!r}) for {user.get_username()}. "
                    "It is shown once; keep it secret. Send it as 'Authorization: Bearer <token>'."
                )
                self.stdout.write(raw)
            elif options["action"] == "list":
                user = user_for_username(options["username"])
                for t in token_list(actor=actor, user=user):
                    state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
                    used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
                    self.stdout.write(f"#{t.pk}\t{t.prefix}…\t{t.name}\t{state}\tlast used {used}")
            else:
                token = token_revoke(actor=actor, token_id=options["token_id"], reason=options["reason"])
                self.stdout.write(f"revoked token #{token.pk} ({token.prefix}…)")
        except DomainError as e:
            raise CommandError(str(e)) from e

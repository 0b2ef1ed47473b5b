"""The `polity` console script: Django's management commands with Polity's settings, plus the counter.

polity run                  serve the web interface and the task worker together (PORT honoured)
polity worker               run the task worker only
polity demo [--members N] [--seed S]
polity import-members FILE [--dry-run]
polity audit verify          check the access log's hash chain and subject index (exit 1 naming the first bad event)
polity audit stats           chain length, last verification, events by verb
polity token create USERNAME [--name N]   print a new API token (its last word); also list, revoke
polity enrolment-code USERNAME            print a one-time code to set up a second factor (its last word)
polity permissions_doc [--check]          regenerate docs/permissions.md (or fail if it has drifted)
polity count FILE --method ...   (needs no database)
polity <any manage.py command>
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "worker": "db_worker",
    "import-members": "import_members",
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "count":
        from polity.counting.cli import main as count_main

        return count_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command = ALIASES.get(args[0], args[0].replace("-", "_"))
    execute_from_command_line(["polity", command, *args[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())

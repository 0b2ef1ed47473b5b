"""Steps of the reliability tests and delivery benchmarks, run in their own processes.

python -m polity.outbox.tests.scenario seed --people N [--purpose P]   -> {"dispatch": id, "total": n}
python -m polity.outbox.tests.scenario unsubscribe --first K           -> {"emails": [...]}
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "polity.outbox.tests.worker_settings")
    import django

    django.setup()


def people(n: int, *, chunk: int = 10_000) -> None:
    """n members in one branch, with numbered addresses p<i>@example.invalid (test data, bulk written)."""
    from datetime import date

    from polity.common.actor import Actor
    from polity.members.models import Person
    from polity.org.services import unit_create

    system = Actor.system()
    unit = None
    for level in ("national", "region", "constituency", "branch"):
        unit = unit_create(actor=system, name=f"Test {level}", code=f"t-{level}", level=level, parent=unit)
    assert unit is not None
    for start in range(0, n, chunk):
        Person.objects.bulk_create(
            [
                Person(
                    membership_number=f"R{i:08d}",
                    given_name=f"Given{i}",
                    family_name=f"Family{i}",
                    email=f"p{i}@example.invalid",
                    phone=f"07700{i:06d}",
                    home_unit=unit,
                    status="active",
                    joined_on=date(2020, 1, 1),
                )
                for i in range(start, min(n, start + chunk))
            ]
        )


def seed(n: int, purpose: str) -> dict[str, int]:
    from django.db import transaction

    from polity.common.actor import Actor
    from polity.members.models import Person
    from polity.outbox.services import dispatch_create

    people(n)
    with transaction.atomic():
        dispatch = dispatch_create(
            actor=Actor.system("reliability test"),
            purpose=purpose,
            channel="email",
            subject="Notice for {{ first_name }}",
            body="Dear {{ full_name }},\n\nThe branch meets on Monday.\n",
            person_ids=Person.objects.all(),
            source_type="test.reliability",
            source_id=1,
        )
    return {"dispatch": dispatch.pk, "total": dispatch.total}


def unsubscribe(first: int) -> dict[str, list[str]]:
    """The first K members click the one-click unsubscribe link of the purpose 'service' by email."""
    from polity.consent.services import unsubscribe_token
    from polity.members.models import Person
    from polity.outbox.services import unsubscribe_confirm

    emails = []
    for pk, email in Person.objects.order_by("pk").values_list("pk", "email")[:first]:
        unsubscribe_confirm(token=unsubscribe_token(person_id=pk, purpose="service", channel="email"))
        emails.append(email)
    return {"emails": emails}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="step", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--people", type=int, required=True)
    s.add_argument("--purpose", default="governance")
    u = sub.add_parser("unsubscribe")
    u.add_argument("--first", type=int, required=True)
    args = parser.parse_args(argv)
    _setup()
    out: object = seed(args.people, args.purpose) if args.step == "seed" else unsubscribe(args.first)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

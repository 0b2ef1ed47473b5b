"""Finding a member by number: the members list and the person picker with a membership number typed with
or without its letter ("M0000137", "m137", "137"), on the 500,000-member demo.

    DATABASE_URL=postgres://... python bench/member_number_search.py [--runs 20]

Prints the plan's top line (an index scan or a sequential scan over the register) and the median time of
`member_list` for a national officer (the whole register in scope) and a constituency secretary.
"""

from __future__ import annotations

import argparse
import time

from foundation_common import machine, median_ms, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    setup()
    from django.db import connection

    from polity.accounts.models import User
    from polity.common.actor import Actor
    from polity.members.models import Person
    from polity.members.selectors import member_list, member_search_qs

    print(machine())
    print(f"register: {Person.objects.count():,} people")
    sample = Person.objects.order_by("pk").values_list("membership_number", flat=True)[137]
    digits = sample.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz").lstrip("0")
    letters = sample[: len(sample) - len(sample.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))]
    typed = [sample, f"{letters.lower()}{digits}", digits]
    for username in ("national", "secretary"):
        actor = Actor.for_user(User.objects.get(username=username))
        for text in typed:
            qs = member_search_qs(actor=actor, q=text).order_by("family_name", "given_name", "id")[:51]
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN {sql}", params)
                plan = [row[0] for row in cursor.fetchall()]
            scans = [line.strip() for line in plan if "Scan" in line]
            samples = []
            found = 0
            for _ in range(args.runs):
                started = time.perf_counter()
                found = len(member_list(actor=actor, q=text).members)
                samples.append(time.perf_counter() - started)
            print(f"{username:10} {text!r:12} found {found}: {median_ms(samples)} median; {scans}")


if __name__ == "__main__":
    main()

"""A constituency's members list page: median server time and query count, with the access log on and off.

    DATABASE_URL=postgres://... python bench/foundation_list.py [--requests 100]

Needs the demo register (bench/foundation_demo.py). Signs in as `secretary` through Django's test
Client (the session marked as having passed the second factor), requests /members/ searching a name
start within the secretary's constituency (50 rows a page), and reports the median time per request
with the page's access-log event written (as in production) and with `audit_record` replaced by a
no-op, interleaved so that both see the same machine load. Targets: <= 50 ms median, a query count
that does not change with the page or the register's size, logging <= +10%.
"""

from __future__ import annotations

import argparse
import statistics
import time

from foundation_common import CpuClock, machine, median_ms, setup

TERMS = ["S", "M", "B", "H", "C", "W", "P", "R", "A", "T"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100, help="requests per mode")
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp.plugins.otp_totp.models import TOTPDevice

    import polity.members.selectors as selectors
    from polity.access.models import OfficeTerm
    from polity.accounts.models import User
    from polity.members.models import Person

    settings.DEBUG = False
    print(machine())
    print(f"register: {Person.objects.count():,} people")
    user = User.objects.get(username="secretary")
    unit = OfficeTerm.objects.get(person=user.person, office="secretary", ends_at__isnull=True).unit
    in_unit = Person.objects.filter(home_unit__path__startswith=unit.path).count()
    print(f"secretary of {unit.name}: {in_unit:,} members in the constituency")

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()

    def get(term: str, page: int = 1) -> tuple[float, int]:
        started = time.perf_counter()
        response = client.get("/members/", {"q": term, "unit": unit.pk, "page": page})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return elapsed, response.content.count(b'href="/members/')

    real_record = selectors.audit_record

    def no_log(**kwargs: object) -> None:
        return None

    for term in TERMS:  # warm up caches and connections
        get(term)
    on: list[float] = []
    off: list[float] = []
    cpu = {"on": [0.0, 0.0], "off": [0.0, 0.0]}
    clock = CpuClock()
    for i in range(args.requests):
        term = TERMS[i % len(TERMS)]
        for mode, record, samples in (("on", real_record, on), ("off", no_log, off)):
            selectors.audit_record = record  # type: ignore[assignment]
            with clock:
                samples.append(get(term)[0])
            cpu[mode][0] += clock.client
            cpu[mode][1] += clock.server
    selectors.audit_record = real_record  # type: ignore[assignment]

    counts = {}
    for label, term, page in (
        ("page 1", "S", 1),
        ("page 2", "S", 2),
        ("no search", "", 1),
        ("other term", "M", 1),
    ):
        with CaptureQueriesContext(connection) as queries:
            _elapsed, links = get(term, page)
        counts[label] = (len(queries), links)
    m_on, m_off = statistics.median(on), statistics.median(off)
    print(
        f"members list, search, 50 rows: median {median_ms(on)} with the access log, {median_ms(off)} without"
    )
    print(
        f"  p90 {sorted(on)[int(len(on) * 0.9)] * 1000:.1f} ms with the log; logging adds {100 * (m_on / m_off - 1):+.1f}%"
    )
    for mode, (client_cpu, server_cpu) in cpu.items():
        n = args.requests
        print(
            f"  CPU per request, log {mode}: {client_cpu / n * 1000:.1f} ms Django + {server_cpu / n * 1000:.1f} ms database"
        )
    print(
        "  queries per request: " + ", ".join(f"{k}: {q} queries ({n} links)" for k, (q, n) in counts.items())
    )
    print(
        f"target <= 50 ms: {'met' if m_on <= 0.05 else 'MISSED'}; logging <= +10%: {'met' if m_on <= 1.1 * m_off else 'MISSED'}"
    )


if __name__ == "__main__":
    main()

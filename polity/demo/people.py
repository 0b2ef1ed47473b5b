"""Synthetic members: people, membership periods (rejoiners have several), status history, payments
consistent with the rulebook's arrears rules, and a few transfers. Rows are built as tuples and written
in batches with COPY; nothing here calls a service per person.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from polity.demo import words
from polity.demo.tree import PlannedUnit, Tree
from polity.members.bulkload import IdAllocator, copy_rows
from polity.members.models import MembershipPeriod, Payment, Person, Status, StatusChange, Transfer
from polity.members.services import arrears_status
from polity.rulebook.loader import get_rulebook

BATCH = 25_000
ACTOR_LABEL = "demo"

# Current status of a generated person, as cumulative weights.
_STATUS_WEIGHTS = (
    (Status.ACTIVE, 0.74),
    (Status.IN_ARREARS, 0.07),
    (Status.LAPSED, 0.08),
    (Status.SUSPENDED, 0.008),
    (Status.RESIGNED, 0.045),
    (Status.EXPELLED, 0.004),
    (Status.APPLICANT, 0.053),
)
_CUMULATIVE = []
_total = 0.0
for _status, _weight in _STATUS_WEIGHTS:
    _total += _weight
    _CUMULATIVE.append((_total, _status))

PERSON_FIELDS = [
    "id",
    "membership_number",
    "given_name",
    "family_name",
    "email",
    "phone",
    "address_line",
    "town",
    "postcode",
    "date_of_birth",
    "home_unit_id",
    "status",
    "joined_on",
    "paid_until",
    "created_at",
    "updated_at",
]
PERIOD_FIELDS = ["id", "person_id", "started_on", "ended_on", "end_status"]
CHANGE_FIELDS = ["person_id", "period_id", "status", "changed_at", "reason", "actor_label"]
PAYMENT_FIELDS = ["person_id", "amount_pence", "paid_on", "covers_until", "method", "recorded_by"]
TRANSFER_FIELDS = ["person_id", "from_unit_id", "to_unit_id", "at", "reason", "actor_label"]
_AMOUNTS = (2400, 2400, 2400, 4800, 1200, 600)
_METHODS = ("direct_debit", "direct_debit", "direct_debit", "card", "card", "cheque")


def moment(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@dataclass
class Generated:
    """What later stages need: who is an active member where, and row counts."""

    active_by_branch: dict[int, list[int]] = field(default_factory=dict)
    joined_on: dict[int, date] = field(default_factory=dict)  # of the active members
    counts: dict[str, int] = field(default_factory=dict)
    first_id: int = 0
    last_id: int = 0


class MemberFactory:
    def __init__(self, *, rng: random.Random, today: date, tree: Tree, ids: IdAllocator) -> None:
        self.rng = rng
        self.today = today
        self.tree = tree
        self.ids = ids
        rulebook = get_rulebook()
        self.sub = rulebook.rule("membership.subscription_period")
        self.grace = rulebook.rule("membership.arrears_grace")
        self.lapse = rulebook.rule("membership.lapse_after")
        self.now = moment(today, 9)
        self.out = Generated()
        self._earlier: dict[date, date] = {}
        self._reset()
        # Paid-until dates by the status they imply today (days 29-31 avoided so that stepping back one
        # subscription period and forward again lands on the same day).
        self.days: dict[str, list[date]] = {Status.ACTIVE: [], Status.IN_ARREARS: [], Status.LAPSED: []}
        for offset in range(-1200, 360):
            day = today + timedelta(days=offset)
            if day.day <= 28:
                self.days[arrears_status(day, today) or Status.ACTIVE].append(day)
        self.siblings = {c.id: [b.id for b in c.children] for c in tree.constituencies}

    def _back(self, day: date) -> date:
        """One subscription period before `day` (memoised: the same few thousand dates recur)."""
        earlier = self._earlier.get(day)
        if earlier is None:
            earlier = self._earlier[day] = self.sub.subtract_from(day)
        return earlier

    def _reset(self) -> None:
        self.people: list[tuple[object, ...]] = []
        self.periods: list[tuple[object, ...]] = []
        self.changes: list[tuple[object, ...]] = []
        self.payments: list[tuple[object, ...]] = []
        self.transfers: list[tuple[object, ...]] = []

    def generate(self, total: int, progress: Callable[[int], object] | None = None) -> Generated:
        branches = self.tree.branches
        weights = [0.5 + self.rng.random() for _ in branches]
        scale = total / sum(weights)
        counts = [int(w * scale) for w in weights]
        for i in range(total - sum(counts)):
            counts[i % len(counts)] += 1
        first = self.ids.take(Person, total)
        self.out.first_id, self.out.last_id = first, first + total - 1
        number = first
        for branch, count in zip(branches, counts, strict=True):
            self.out.active_by_branch[branch.id] = []
            for _ in range(count):
                self._person(number, branch)
                number += 1
                if len(self.people) >= BATCH:
                    self._flush(progress)
        self._flush(progress)
        return self.out

    def _flush(self, progress: Callable[[int], object] | None) -> None:
        if not self.people:
            return
        written = {
            "people": copy_rows(Person, PERSON_FIELDS, self.people),
            "periods": copy_rows(MembershipPeriod, PERIOD_FIELDS, self.periods),
            "status_changes": copy_rows(StatusChange, CHANGE_FIELDS, self.changes),
            "payments": copy_rows(Payment, PAYMENT_FIELDS, self.payments),
            "transfers": copy_rows(Transfer, TRANSFER_FIELDS, self.transfers),
        }
        for key, n in written.items():
            self.out.counts[key] = self.out.counts.get(key, 0) + n
        if progress is not None:
            progress(len(self.people))
        self._reset()

    def _status(self) -> str:
        x = self.rng.random() * _total
        for bound, status in _CUMULATIVE:
            if x < bound:
                return status
        return Status.ACTIVE

    def _person(self, pk: int, branch: PlannedUnit) -> None:
        rng, today = self.rng, self.today
        given = rng.choice(words.GIVEN_NAMES)
        family = rng.choice(words.FAMILY_NAMES)
        status = self._status()
        periods: list[tuple[date, date | None, str]] = []  # (start, end, end status), oldest first
        paid_until: date | None = None
        changes: list[tuple[int, str, date, str]] = []  # (period index, status, day, reason)

        if status == Status.APPLICANT:
            start = today - timedelta(days=rng.randrange(0, 50))
            periods.append((start, None, ""))
            changes.append((0, Status.APPLICANT, start, "applied"))
        else:
            pool = Status.ACTIVE if status in (Status.SUSPENDED, Status.RESIGNED, Status.EXPELLED) else status
            paid_until = rng.choice(self.days[pool])
            years = min(1 + int(rng.expovariate(0.35)), 25)
            covers = [paid_until]
            for _ in range(years):
                covers.append(self._back(covers[-1]))
            start = covers[-1]
            while start > today:
                start = self.sub.subtract_from(start)
            for j in range(min(years, 3)):
                self.payments.append(
                    (
                        pk,
                        rng.choice(_AMOUNTS),
                        covers[j + 1],
                        covers[j],
                        rng.choice(_METHODS),
                        ACTOR_LABEL,
                    )
                )
            end: date | None = None
            changes.append((0, Status.ACTIVE, start, "joined"))
            overdue = self.grace.add_to(paid_until) + timedelta(days=1)
            if status in (Status.IN_ARREARS, Status.LAPSED) and overdue <= today:
                changes.append((0, Status.IN_ARREARS, overdue, "subscription overdue"))
            if status == Status.LAPSED:
                end = min(today, self.lapse.add_to(paid_until) + timedelta(days=1))
                changes.append((0, Status.LAPSED, end, "subscription unpaid"))
            elif status == Status.SUSPENDED:
                on = start + timedelta(days=rng.randrange(0, max(1, (today - start).days)))
                changes.append((0, Status.SUSPENDED, on, "suspended pending an investigation"))
            elif status in (Status.RESIGNED, Status.EXPELLED):
                end = start + timedelta(days=rng.randrange(0, max(1, (today - start).days)))
                if status == Status.EXPELLED:
                    changes.append((0, Status.SUSPENDED, max(start, end - timedelta(days=60)), "suspended"))
                    changes.append((0, Status.EXPELLED, end, "expelled after a disciplinary hearing"))
                else:
                    changes.append((0, Status.RESIGNED, end, "resigned by letter"))
            periods.append((start, end, status if end else ""))

        # About one in ten has been a member before: earlier, closed periods of the same person.
        if rng.random() < 0.1:
            start = periods[0][0]
            history: list[tuple[date, date | None, str]] = []
            for _ in range(1 if rng.random() < 0.7 else 2):
                end = start - timedelta(days=rng.randrange(90, 1200))
                start = end - timedelta(days=rng.randrange(200, 2500))
                history.insert(0, (start, end, Status.LAPSED if rng.random() < 0.7 else Status.RESIGNED))
            shift = len(history)
            changes = [
                (i + shift, s, d, "rejoined" if (i, r) == (0, "joined") else r) for i, s, d, r in changes
            ]
            for i, (h_start, h_end, h_status) in enumerate(history):
                changes.append((i, Status.ACTIVE, h_start, "joined"))
                changes.append((i, h_status, h_end, "membership ended"))  # type: ignore[arg-type]
            periods = history + periods

        first_period = self.ids.take(MembershipPeriod, len(periods))
        for i, (p_start, p_end, p_status) in enumerate(periods):
            self.periods.append((first_period + i, pk, p_start, p_end, p_status))
        for i, c_status, day, reason in changes:
            self.changes.append((pk, first_period + i, c_status, moment(day), reason, ACTOR_LABEL))

        current_start = periods[-1][0]
        if status in (Status.ACTIVE, Status.IN_ARREARS) and rng.random() < 0.006:
            siblings = self.siblings[branch.parent_id]  # type: ignore[index]
            if len(siblings) > 1:
                source = rng.choice([b for b in siblings if b != branch.id])
                on = current_start + timedelta(days=rng.randrange(0, max(1, (today - current_start).days)))
                self.transfers.append((pk, source, branch.id, moment(on, 15), "moved house", ACTOR_LABEL))
        if status == Status.ACTIVE:
            self.out.active_by_branch[branch.id].append(pk)
            self.out.joined_on[pk] = current_start

        number = pk - self.out.first_id + 1
        street = f"{rng.randrange(1, 240)} {rng.choice(words.STREETS)} {rng.choice(words.STREET_KINDS)}"
        postcode = (
            f"{branch.postcode_area} {rng.randrange(1, 10)}"
            f"{rng.choice(words.POSTCODE_LETTERS)}{rng.choice(words.POSTCODE_LETTERS)}"
        )
        born = today - timedelta(days=rng.randrange(16 * 365 + 5, 90 * 365))
        self.people.append(
            (
                pk,
                f"M{number:07d}",
                given,
                family,
                f"{given.lower()}.{family.lower()}.{number}@example.org",
                f"07700 900{rng.randrange(1000):03d}",
                street,
                branch.town,
                postcode,
                born,
                branch.id,
                status,
                current_start,
                paid_until,
                self.now,
                self.now,
            )
        )

"""The data protection officer's search of the whole access log: by officer, action, purpose, person and dates.

Only holders of Perm.AUDIT_VIEW over the whole organisation (every root unit: the data protection officer)
may search; anyone else is refused as NotVisible, which the web page and the API answer 404. People are
named by their membership number or their name, never by an internal id or a login. Actors are shown as
the person behind the account and the offices they held when the event happened ("Sam Secretary, Secretary
of North A"), never as a login name.

A search shows personal data (who did what to whom), so each search that runs is itself an event
(`audit.search`) naming the people it showed, and those people see it under "who viewed my data".

Every filter has its own index walked newest first (docs/audit.md), so "everything officer X saw between D1
and D2" reads one index range whatever the size of the log (bench/audit_search.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from polity.audit.chain import ANONYMISED_LABEL
from polity.audit.models import ChainHead, Event
from polity.audit.selectors import VERB_WORDS, VERBS_CTE, _details, verb_in_words
from polity.audit.services import audit_record
from polity.common.actor import Actor
from polity.common.errors import InvalidInput

PAGE_SIZE = 50
MAX_PAGE = 1000  # 50,000 events; beyond that, narrow the dates (an offset that deep reads the whole range)
MAX_TEXT = 100


class SearchInputError(InvalidInput):
    """A filter the search cannot use; `field` names it so a form can show the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PersonShown:
    id: int
    name: str
    membership_number: str


@dataclass(frozen=True)
class ActorShown:
    """Who acted, in words: the person and the offices they held at the event's time, or the system."""

    name: str
    membership_number: str = ""
    offices: tuple[str, ...] = ()
    is_person: bool = False

    def __str__(self) -> str:
        if not self.is_person:
            return self.name
        if not self.offices:
            return f"{self.name} (no office at the time)"
        return f"{self.name}, {' and '.join(self.offices)}"


@dataclass(frozen=True)
class LogRow:
    seq: int
    at: datetime
    actor: ActorShown
    verb: str
    what: str
    purpose: str
    channel: str
    subject_count: int
    subject: PersonShown | None  # the one person touched, when there was exactly one


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    page: int
    page_size: int
    total: int
    actor: PersonShown | None
    person: PersonShown | None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < min(self.pages, MAX_PAGE)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.page_size + len(self.rows)


def require_whole_log(actor: Actor) -> None:
    """Refuse (NotVisible) unless the actor holds Perm.AUDIT_VIEW over every root unit, or is the system."""
    from polity.access.perms import Perm
    from polity.access.policy import require, scopes
    from polity.common.errors import NotVisible
    from polity.org.models import Unit

    if actor.is_system or actor.cache.get("audit:whole_log"):
        return
    if not scopes(actor, Perm.AUDIT_VIEW):
        raise NotVisible("not found")
    roots = list(Unit.objects.filter(parent__isnull=True))
    if not roots:
        raise NotVisible("not found")
    for root in roots:
        require(actor, Perm.AUDIT_VIEW, scope=root)
    actor.cache["audit:whole_log"] = True  # the actor lives for one request, like the policy's own memo


def audit_verbs(*, actor: Actor) -> list[tuple[str, str]]:
    """Every verb in the log or known by name, with its words, for the search's choice of action."""
    require_whole_log(actor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"WITH RECURSIVE {VERBS_CTE} SELECT verb FROM v WHERE verb IS NOT NULL")  # noqa: S608
            seen = {row[0] for row in cursor.fetchall()}
    else:
        seen = set(Event.objects.order_by().values_list("verb", flat=True).distinct())
    return sorted(((v, verb_in_words(v)) for v in seen | set(VERB_WORDS)), key=lambda vw: vw[1])


def _person_named(actor: Actor, text: str, field: str) -> PersonShown:
    """The one person a membership number or a name (or the starts of its words) picks out."""
    from polity.access.perms import Perm
    from polity.access.policy import visible_members
    from polity.members.models import Person

    text = " ".join(text.split())
    if len(text) > MAX_TEXT:
        raise SearchInputError(field, f"at most {MAX_TEXT} characters")
    people = visible_members(Person.objects.all(), actor=actor, perm=Perm.AUDIT_VIEW)
    columns = ("pk", "given_name", "family_name", "membership_number")
    found = list(people.filter(membership_number__iexact=text).values_list(*columns)[:2])
    if not found:
        named = people
        for term in text.split()[:4]:
            named = named.filter(Q(given_name__istartswith=term) | Q(family_name__istartswith=term))
        found = list(named.order_by("family_name", "given_name", "pk").values_list(*columns)[:2])
        if len(found) > 1:
            many = named.count()
            raise SearchInputError(
                field,
                f"{many} members match “{text}”: give a fuller name or the membership number "
                "(the members page finds it)",
            )
    if not found:
        raise SearchInputError(field, f"no member has the membership number or name “{text}”")
    pk, given, family, number = found[0]
    return PersonShown(pk, f"{given} {family}", number)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(
    actor_person: PersonShown | None,
    subject: PersonShown | None,
    verb: str,
    purpose: str,
    since: date | None,
    until: date | None,
) -> QuerySet[Event]:
    qs = Event.objects.all()
    if actor_person is not None:
        qs = qs.filter(actor_person_id=actor_person.id)
    if subject is not None:
        qs = qs.filter(subject_rows__person_id=subject.id)
    if verb:
        qs = qs.filter(verb=verb)
    if purpose:
        qs = qs.filter(purpose=purpose)
    if since is not None:
        qs = qs.filter(occurred_at__gte=_local_midnight(since))
    if until is not None:
        qs = qs.filter(occurred_at__lt=_local_midnight(until + timedelta(days=1)))
    return qs


def access_log_search(
    *,
    actor: Actor,
    who: str = "",
    person: str = "",
    verb: str = "",
    purpose: str = "",
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    page_size: int | None = None,
    channel: str = "web",
) -> LogPage:
    """One page of events, newest first, by officer (`who`), person touched, verb, purpose and dates.

    `who` and `person` are a membership number or a name; `since` and `until` are days, both included, in
    the organisation's time zone. Refuses with NotVisible unless the actor may read the whole log; a filter
    it cannot use raises SearchInputError naming the field. The search is recorded (verb audit.search).
    """
    require_whole_log(actor)
    page_size = page_size or PAGE_SIZE
    verb, purpose = verb.strip(), purpose.strip()
    if since is not None and until is not None and since > until:
        raise SearchInputError("until", f"the end date ({until:%-d %b %Y}) is before the start date")
    if not 1 <= page <= MAX_PAGE:
        raise SearchInputError("page", f"a page from 1 to {MAX_PAGE}: narrow the dates to look further back")
    if len(verb) > 80 or len(purpose) > 200:
        raise SearchInputError("verb" if len(verb) > 80 else "purpose", "too long")
    actor_person = _person_named(actor, who, "actor") if who.strip() else None
    subject = _person_named(actor, person, "person") if person.strip() else None
    qs = _filtered(actor_person, subject, verb, purpose, since, until)
    if actor_person or subject or verb or purpose or since or until:
        total = qs.count()
    else:  # the whole log: the head knows its length
        total = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    # The page's seqs first, from the index alone (every filter's index holds what it needs), so a deep page
    # skips its offset without reading a table row per event passed over; then the page's own rows.
    offset = (page - 1) * page_size
    seqs = list(
        qs.order_by("-occurred_at", "-seq").values_list("seq", flat=True)[offset : offset + page_size]
    )
    raw = list(
        Event.objects.filter(seq__in=seqs).order_by("-occurred_at", "-seq").values_list(
            "seq", "occurred_at", "actor_person_id", "actor_user_id", "actor_label", "verb", "purpose",
            "subjects", "data",
        )
    ) if seqs else []  # fmt: skip
    rows = _rows(raw)
    shown = {r.subject.id for r in rows if r.subject} | {p for p in (r[2] for r in raw) if p is not None}
    shown |= {p.id for p in (actor_person, subject) if p is not None}
    audit_record(
        actor=actor,
        verb="audit.search",
        subjects=shown,
        purpose="access log search",
        object_type="audit.log",
        data={
            "actor": actor_person is not None,
            "person": subject is not None,
            "verb": verb,
            "purpose": purpose,
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
            "page": page,
            "shown": len(rows),
            "total": total,
            "channel": channel,
        },
    )
    return LogPage(rows, page, page_size, total, actor_person, subject)


def _rows(raw: list[tuple[Any, ...]]) -> list[LogRow]:
    """Turn a page of events into rows with people's names and offices: two queries, whatever the page."""
    from polity.access.models import OfficeTerm
    from polity.members.models import Person
    from polity.rulebook.loader import get_rulebook

    actor_ids = {r[2] for r in raw if r[2] is not None}
    single = {int(r[7]) for r in raw if r[7] and "," not in r[7]}
    people = {
        pk: PersonShown(pk, f"{given} {family}", number)
        for pk, given, family, number in Person.objects.filter(pk__in=actor_ids | single).values_list(
            "pk", "given_name", "family_name", "membership_number"
        )
    }
    labels = {key: office.label for key, office in get_rulebook().offices.items()}
    terms: dict[int, list[tuple[datetime, datetime | None, str]]] = {}
    for person_id, office, unit_name, starts_at, ends_at in OfficeTerm.objects.filter(
        person_id__in=actor_ids
    ).values_list("person_id", "office", "unit__name", "starts_at", "ends_at"):
        title = f"{labels.get(office, office.replace('_', ' ').capitalize())} of {unit_name}"
        terms.setdefault(person_id, []).append((starts_at, ends_at, title))
    out = []
    for seq, at, person_id, user_id, label, verb, purpose, subjects, data in raw:
        count = subjects.count(",") + 1 if subjects else 0
        out.append(
            LogRow(
                seq=seq,
                at=at,
                actor=_actor_shown(at, person_id, user_id, label, people, terms),
                verb=verb,
                what=verb_in_words(verb),
                purpose=purpose,
                channel=str(_details(data).get("channel", "")),
                subject_count=count,
                subject=people.get(int(subjects)) if count == 1 else None,
            )
        )
    return out


def actor_in_words(at: datetime, person_id: int | None, user_id: int | None, label: str) -> str:
    """One event's actor as the status page names them: the person and their offices at `at` (two queries)."""
    return actors_in_words([(at, person_id, user_id, label)])[0]


def actors_in_words(actors: Sequence[tuple[datetime, int | None, int | None, str]]) -> list[str]:
    """Who did something, in words, for pages that record an actor beside their own rows ("written by",
    "sent by"): each (when, person id, user id, label) as the person's name and offices at that time, never a
    login name. Two queries, however many."""
    if not actors:
        return []
    raw = [(0, at, person_id, user_id, label, "", "", "", "{}") for at, person_id, user_id, label in actors]
    return [str(row.actor) for row in _rows(raw)]


def _actor_shown(
    at: datetime,
    person_id: int | None,
    user_id: int | None,
    label: str,
    people: dict[int, PersonShown],
    terms: dict[int, list[tuple[datetime, datetime | None, str]]],
) -> ActorShown:
    if person_id is not None and person_id in people:
        held = tuple(
            sorted(
                title
                for starts_at, ends_at, title in terms.get(person_id, [])
                if starts_at <= at and (ends_at is None or at < ends_at)
            )
        )
        found = people[person_id]
        return ActorShown(found.name, found.membership_number, held, is_person=True)
    if person_id is not None:
        return ActorShown("A person no longer on the register")
    if user_id is not None:
        return ActorShown(f"An account not linked to a member ({label})")
    if label == ANONYMISED_LABEL:
        return ActorShown("Someone (anonymised when the log's retention period ended)")
    return ActorShown("The system" if label in ("", "system") else f"The system ({label})")

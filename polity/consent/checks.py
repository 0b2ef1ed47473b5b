"""May we contact this person, for this purpose, on this channel, now? Asked again at send time.

`contact_permitted` answers for one person; `contact_permitted_many` for any number with a constant
number of queries (persons, consent events, suppressions), streaming rows so memory stays flat apart
from the answer itself. Pass a queryset of ids (e.g. ``qs.values("pk")``) to let the database join;
a large list of ids is read as an id range and filtered in Python (no giant IN lists).

Reasons, in the order they are checked: "unknown purpose", "channel not allowed", "unknown person",
"no consent" (never given, or withdrawn), "objected" (the person restricted or objected to this use
of their data, by a check another app registered: `register_refusal_check`), "no address", "suppressed",
and "ok".
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from polity.consent.addresses import address_for, address_hash, address_kind
from polity.consent.models import Action, ConsentEvent, Suppression, SuppressionScope
from polity.members.models import Person
from polity.rulebook.loader import Purpose, get_rulebook

OK = (True, "ok")
UNKNOWN_PURPOSE = (False, "unknown purpose")
CHANNEL_NOT_ALLOWED = (False, "channel not allowed")
UNKNOWN_PERSON = (False, "unknown person")
NO_CONSENT = (False, "no consent")
NO_ADDRESS = (False, "no address")
SUPPRESSED = (False, "suppressed")
OBJECTED = (False, "objected")

# Above this many ids, read an id range instead of an IN list (SQLite and PostgreSQL bind limits).
_IN_LIST_MAX = 2000
_CHUNK = 5000


def contact_permitted(
    *, person_id: int, purpose: str, channel: str, at: datetime | None = None
) -> tuple[bool, str]:
    """(allowed, reason) for one person. See the module docstring for the reasons."""
    return contact_permitted_many(person_ids=[person_id], purpose=purpose, channel=channel, at=at)[
        int(person_id)
    ]


def contact_permitted_many(
    *,
    person_ids: Iterable[int] | QuerySet[Any, Any],
    purpose: str,
    channel: str,
    at: datetime | None = None,
) -> dict[int, tuple[bool, str]]:
    """(allowed, reason) for every person id, in three queries (people, suppressions, consent events).

    People are streamed first, each given its address verdict; then the latest consent events of the
    same people are streamed (by id list, id range or a scan of the purpose and channel) and decide.
    """
    at = at or timezone.now()
    purpose_rule = get_rulebook().purposes.get(purpose)
    people, wanted = _people(person_ids)
    if purpose_rule is None or channel not in purpose_rule.channels:
        verdict = UNKNOWN_PURPOSE if purpose_rule is None else CHANNEL_NOT_ALLOWED
        ids = wanted if wanted is not None else people.values_list("pk", flat=True)
        return dict.fromkeys(ids, verdict)

    suppressed = _suppressed_hashes(purpose_rule, channel, at)
    kind = address_kind(channel)
    columns = {"email": ("email",), "sms": ("phone",), "phone": ("phone",)}.get(
        channel, ("address_line", "postcode")
    )
    out: dict[int, tuple[bool, str]] = {}
    for pk, *address_parts in people.values_list("pk", *columns).order_by().iterator(chunk_size=_CHUNK):
        if wanted is not None and pk not in wanted:
            continue
        address = _address(channel, address_parts)
        if not address:
            out[pk] = NO_ADDRESS
        elif kind is not None and suppressed and address_hash(kind, address) in suppressed:
            out[pk] = SUPPRESSED
        else:
            out[pk] = OK
    if purpose_rule.consent != "none" and out:
        latest = _latest_consent(out, purpose_rule, channel, at)
        for pk in out:
            if not _consents(purpose_rule, latest.get(pk)):
                out[pk] = NO_CONSENT
    if purpose_rule.may_refuse and out:
        for pk in _stopped(out, purpose_rule.key, at):
            out[pk] = OBJECTED
    if wanted is not None:
        for pk in wanted:
            out.setdefault(pk, UNKNOWN_PERSON)
    return out


def address_permitted(
    *, address: str, purpose: str, channel: str, at: datetime | None = None
) -> tuple[bool, str]:
    """(allowed, reason) for an address that belongs to no person on the register (a non-member's request).

    Nobody on the register means no consent on record: only purposes that need none (statutory notices)
    pass; then the address must not be suppressed.
    """
    purpose_rule = get_rulebook().purposes.get(purpose)
    if purpose_rule is None:
        return UNKNOWN_PURPOSE
    if channel not in purpose_rule.channels:
        return CHANNEL_NOT_ALLOWED
    if purpose_rule.consent != "none":
        return NO_CONSENT
    if not address.strip():
        return NO_ADDRESS
    kind = address_kind(channel)
    suppressed = _suppressed_hashes(purpose_rule, channel, at or timezone.now())
    if kind is not None and suppressed and address_hash(kind, address.strip()) in suppressed:
        return SUPPRESSED
    return OK


def _address(channel: str, parts: list[str]) -> str:
    if channel == "post":
        line, postcode = parts
        return address_for("post", email="", phone="", address_line=line, postcode=postcode)
    return parts[0].strip()


def _consents(purpose: Purpose, latest: str | None) -> bool:
    if purpose.consent == "none":
        return True
    if purpose.consent == "opt_out":
        return latest != Action.WITHDRAWN
    return latest == Action.GIVEN


def _people(person_ids: Iterable[int] | QuerySet[Any, Any]) -> tuple[QuerySet[Person], set[int] | None]:
    """The people to read, and the exact ids to keep when the query reads a wider id range.

    A QuerySet of Person is read as it is (a semi-join on its ids plans far worse on PostgreSQL); a
    QuerySet of another model must yield person ids and becomes a subquery.
    """
    if isinstance(person_ids, QuerySet):
        if person_ids.model is Person:
            return person_ids, None
        return Person.objects.filter(pk__in=person_ids), None
    wanted = {int(pk) for pk in person_ids}
    if not wanted:
        return Person.objects.none(), wanted
    if len(wanted) <= _IN_LIST_MAX:
        return Person.objects.filter(pk__in=sorted(wanted)), wanted
    return Person.objects.filter(pk__gte=min(wanted), pk__lte=max(wanted)), wanted


def _latest_consent(
    people: dict[int, tuple[bool, str]], purpose: Purpose, channel: str, at: datetime
) -> dict[int, str]:
    """The latest action per person for (purpose, channel) at `at`; later rows overwrite earlier ones."""
    events = ConsentEvent.objects.filter(purpose=purpose.key, channel=channel, occurred_at__lte=at)
    if len(people) <= _IN_LIST_MAX:
        events = events.filter(person_id__in=sorted(people))
    else:
        events = events.filter(person_id__gte=min(people), person_id__lte=max(people))
    latest: dict[int, str] = {}
    for person_id, action in (
        events.order_by("person_id", "occurred_at", "id")
        .values_list("person_id", "action")
        .iterator(chunk_size=_CHUNK)
    ):
        if person_id in people:
            latest[person_id] = action
    return latest


# Apps that record a person's refusal of a use of their data (polity.dsr: restrictions and objections)
# register a check when they start; consent knows none of them. A check takes the people being asked about,
# a purpose and a time, and answers which of them refused that purpose then, in one query whatever their
# number, so contact_permitted_many stays a constant number of queries.
RefusalCheck = Callable[[Collection[int], str, datetime], set[int]]
_REFUSAL_CHECKS: dict[str, RefusalCheck] = {}


def register_refusal_check(name: str, check: RefusalCheck) -> None:
    """Make `check` part of every send-time verdict (call from AppConfig.ready; a name registers once)."""
    _REFUSAL_CHECKS[name] = check


def _stopped(people: dict[int, tuple[bool, str]], purpose: str, at: datetime) -> set[int]:
    """People who refused this use of their data in force at `at`, by every registered check."""
    found: set[int] = set()
    for check in _REFUSAL_CHECKS.values():
        found |= check(people.keys(), purpose, at)
    return found


def _suppressed_hashes(purpose: Purpose, channel: str, at: datetime) -> set[str]:
    kind = address_kind(channel)
    if kind is None:
        return set()
    scopes = [SuppressionScope.ALL]
    if purpose.may_refuse:
        scopes.append(SuppressionScope.OPTIONAL)
    return set(
        Suppression.objects.filter(kind=kind, scope__in=scopes, created_at__lte=at).values_list(
            "address_hash", flat=True
        )
    )

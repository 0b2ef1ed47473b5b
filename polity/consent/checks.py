"""May we contact this person, for this purpose, on this channel, now? Asked again at send time.

`contact_permitted` answers for one person; `contact_permitted_many` for any number with a constant
number of queries (persons, consent events, suppressions), streaming rows so memory stays flat apart
from the answer itself. Pass a queryset of ids (e.g. ``qs.values("pk")``) to let the database join;
a large list of ids is read as an id range and filtered in Python (no giant IN lists).

Reasons, in the order they are checked: "unknown purpose", "channel not allowed", "unknown person",
"decoy", "no consent" (never given, or withdrawn), "no address", "suppressed", and "ok".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from polity.consent.addresses import address_for, address_hash, address_kind
from polity.consent.models import Action, ConsentEvent, Suppression, SuppressionScope
from polity.members.models import Person
from polity.rulebook.loader import Purpose, get_rulebook

OK = (True, "ok")
UNKNOWN_PURPOSE = (False, "unknown purpose")
CHANNEL_NOT_ALLOWED = (False, "channel not allowed")
UNKNOWN_PERSON = (False, "unknown person")
DECOY = (False, "decoy")
NO_CONSENT = (False, "no consent")
NO_ADDRESS = (False, "no address")
SUPPRESSED = (False, "suppressed")

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
    person_ids: Iterable[int] | QuerySet[Person, Any],
    purpose: str,
    channel: str,
    at: datetime | None = None,
) -> dict[int, tuple[bool, str]]:
    """(allowed, reason) for every person id, in at most three queries."""
    at = at or timezone.now()
    purpose_rule = get_rulebook().purposes.get(purpose)
    ids_q, wanted = _id_filter(person_ids)
    if purpose_rule is None or channel not in purpose_rule.channels:
        verdict = UNKNOWN_PURPOSE if purpose_rule is None else CHANNEL_NOT_ALLOWED
        ids = wanted if wanted is not None else _all_ids(ids_q)
        return dict.fromkeys(ids, verdict)

    consent = _latest_consent(ids_q, wanted, purpose_rule, channel, at)
    suppressed = _suppressed_hashes(purpose_rule, channel, at)
    kind = address_kind(channel)
    out: dict[int, tuple[bool, str]] = {}
    rows = (
        Person.objects.filter(ids_q)
        .values_list("pk", "is_decoy", "email", "phone", "address_line", "postcode")
        .order_by()
        .iterator(chunk_size=_CHUNK)
    )
    for pk, is_decoy, email, phone, line, postcode in rows:
        if wanted is not None and pk not in wanted:
            continue
        if is_decoy:
            out[pk] = DECOY
            continue
        if not _consents(purpose_rule, consent.get(pk)):
            out[pk] = NO_CONSENT
            continue
        address = address_for(channel, email=email, phone=phone, address_line=line, postcode=postcode)
        if not address:
            out[pk] = NO_ADDRESS
            continue
        if kind is not None and suppressed and address_hash(kind, address) in suppressed:
            out[pk] = SUPPRESSED
            continue
        out[pk] = OK
    if wanted is not None:
        for pk in wanted:
            out.setdefault(pk, UNKNOWN_PERSON)
    return out


def _consents(purpose: Purpose, latest: str | None) -> bool:
    if purpose.consent == "none":
        return True
    if purpose.consent == "opt_out":
        return latest != Action.WITHDRAWN
    return latest == Action.GIVEN


def _id_filter(person_ids: Iterable[int] | QuerySet[Person, Any]) -> tuple[Q, set[int] | None]:
    """A Q over Person selecting the ids, and the exact set to keep when the Q is wider (a range)."""
    if isinstance(person_ids, QuerySet):
        return Q(pk__in=person_ids), None
    wanted = {int(pk) for pk in person_ids}
    if not wanted:
        return Q(pk__in=[]), wanted
    if len(wanted) <= _IN_LIST_MAX:
        return Q(pk__in=sorted(wanted)), wanted
    return Q(pk__gte=min(wanted), pk__lte=max(wanted)), wanted


def _all_ids(ids_q: Q) -> list[int]:
    return list(Person.objects.filter(ids_q).values_list("pk", flat=True))


def _latest_consent(
    ids_q: Q, wanted: set[int] | None, purpose: Purpose, channel: str, at: datetime
) -> dict[int, str]:
    """The latest action per person for (purpose, channel) at `at`; later rows overwrite earlier ones."""
    if purpose.consent == "none":
        return {}
    person_q = Q(person__in=Person.objects.filter(ids_q).values("pk")) if wanted is None else _person_q(ids_q)
    rows = (
        ConsentEvent.objects.filter(person_q, purpose=purpose.key, channel=channel, occurred_at__lte=at)
        .order_by("person_id", "occurred_at", "id")
        .values_list("person_id", "action")
        .iterator(chunk_size=_CHUNK)
    )
    latest: dict[int, str] = {}
    for person_id, action in rows:
        if wanted is None or person_id in wanted:
            latest[person_id] = action
    return latest


def _person_q(ids_q: Q) -> Q:
    """Rewrite a Q over Person's pk into one over ConsentEvent.person_id."""
    out = Q()
    for child in ids_q.children:
        assert isinstance(child, tuple)
        lookup, value = child
        out &= Q(**{lookup.replace("pk", "person_id", 1): value})
    return out


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

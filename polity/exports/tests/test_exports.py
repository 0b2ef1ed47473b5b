"""Exports: the rulebook's purposes and columns, the requester's scope, consent as at the time the file is
made, approval above the rulebook's size, decoys in every file, downloads by the requester alone until
expiry, each recorded against every member included."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from polity.audit.models import Event, EventSubject
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden, InvalidInput, NotVisible
from polity.exports.decoys import decoys_needed, p_no_decoy
from polity.exports.models import Decoy, Entry, Export, State
from polity.exports.services import (
    export_approve,
    export_download,
    export_plan,
    export_refuse,
    export_request,
    exports_expire,
)
from polity.exports.tests.conftest import give_consent
from polity.members.models import Person


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    global _capture
    _capture = django_capture_on_commit_callbacks


def _request(world, who="secretary", **kw):  # type: ignore[no-untyped-def]
    args = {
        "audience": world.audience,
        "purpose": "service",
        "channel": "",
        "columns": ["name", "membership_number", "branch"],
        "format": "csv",
        "reason": "Sign-in at the AGM",
    }
    args.update(kw)
    with _capture(execute=True):  # the worker runs when the request commits (immediate task backend)
        return export_request(actor=world.org.actor(who), **args)


def _rows(export):  # type: ignore[no-untyped-def]
    with export.file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))


def test_an_export_is_made_with_decoys_in_alphabetical_places(world):
    export = Export.objects.get(pk=_request(world).pk)
    assert export.state == State.READY  # the immediate task backend ran the worker
    rows = _rows(export)
    assert rows[0] == ["Given name", "Family name", "Membership number", "Branch"]
    members_in_scope = Person.objects.filter(
        home_unit__path__startswith=world.org.units["north_a"].path
    ).count()
    assert export.members == members_in_scope
    assert export.decoys == decoys_needed(members_in_scope) >= 5
    assert len(rows) - 1 == export.members + export.decoys
    families = [r[1].casefold() for r in rows[1:]]
    assert families == sorted(families)
    decoy_numbers = set(Decoy.objects.filter(export=export).values_list("membership_number", flat=True))
    assert decoy_numbers <= {r[2] for r in rows[1:]}
    assert not Person.objects.filter(membership_number__in=decoy_numbers).exists()
    assert Entry.objects.filter(export=export).count() == len(rows) - 1
    assert export.expires_at == export.ready_at + timedelta(days=7)


def test_decoys_never_become_people(world):
    before = Person.objects.count()
    _request(world)
    _request(world)
    assert Person.objects.count() == before
    emails = set(Decoy.objects.values_list("email", flat=True))
    assert len(emails) == Decoy.objects.count()  # unique across exports
    assert not Person.objects.filter(email__in=emails).exists()


def test_the_attribution_maths(db):
    assert decoys_needed(10) == 5
    for members in (100, 1000, 10_000, 100_000):
        d = decoys_needed(members)
        assert p_no_decoy(members, d, 150) <= 0.05 < p_no_decoy(members, d - 1, 150) or d == 5
    assert 190 <= decoys_needed(10_000) <= 210  # about two per hundred rows


def test_the_rulebook_limits_columns_per_purpose(world):
    with pytest.raises(
        DomainError, match="does not let an export for governance notices .* hold the phone number"
    ):
        _request(world, purpose="governance", columns=["name", "phone"], channel="sms")
    with pytest.raises(DomainError, match="allows no export for fundraising"):
        _request(world, purpose="fundraising", columns=["name"], channel="email")
    with pytest.raises(InvalidInput, match="needs consent per channel"):
        _request(world, purpose="campaigning", columns=["name", "branch"])
    with pytest.raises(InvalidInput, match="the phone number is for phone or sms"):
        _request(world, purpose="campaigning", columns=["name", "phone"], channel="post")
    with pytest.raises(DomainError, match="go to a body's members"):
        _request(world, purpose="governance", columns=["name"])
    with pytest.raises(InvalidInput, match="say what the list is for"):
        _request(world, reason=" ")
    assert not Export.objects.exists()


@pytest.mark.parametrize("who", ["member", "dpo", "outsider"])
def test_who_may_not_export(world, who):
    with pytest.raises((Forbidden, NotVisible)):
        _request(world, who=who)


def test_an_officer_exports_only_within_scope(world):
    from polity.comms.services import audience_create

    south = audience_create(actor=Actor.system(), unit=world.org.units["south_a"], name="South A")
    with pytest.raises(Forbidden):
        _request(world, audience=south)


def test_consent_is_checked_when_the_file_is_made(world, django_capture_on_commit_callbacks):
    consenting = world.extra[:3]
    for person in consenting:
        give_consent(person)
    plan = export_plan(
        actor=world.org.actor("secretary"),
        audience=world.audience,
        purpose="campaigning",
        channel="phone",
        columns=["name", "phone"],
        format="csv",
    )
    assert plan.rows == 3 and plan.excluded["no consent"] > 0
    from polity.consent.services import consent_record

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = export_request(
            actor=world.org.actor("secretary"),
            audience=world.audience,
            purpose="campaigning",
            channel="phone",
            columns=["name", "phone"],
            format="csv",
            reason="Phone bank",
        )
    consent_record(
        actor=Actor.system(),
        person=consenting[0],
        purpose="campaigning",
        channel="phone",
        action="withdrawn",
        method="import",
        evidence="test import",
    )
    for callback in callbacks:
        callback()
    export.refresh_from_db()
    assert export.members == 2
    phones = {r[2] for r in _rows(export)[1:]}
    assert consenting[1].phone in phones and consenting[0].phone not in phones


def test_large_exports_wait_for_approval(world, settings):
    from polity.rulebook import loader

    rulebook = loader.get_rulebook()
    numbers = dict(rulebook.numbers, **{"exports.approval_threshold": 5})
    object.__setattr__(rulebook, "numbers", numbers)
    try:
        export = _request(world)
        assert export.state == State.AWAITING_APPROVAL and export.approver_unit == world.org.units["north"]
        with pytest.raises((Forbidden, NotVisible)):
            export_approve(actor=world.org.actor("secretary"), export=export)
        with pytest.raises(InvalidInput):
            export_refuse(actor=world.org.actor("regional"), export=export, reason="")
        with _capture(execute=True):
            export_approve(actor=world.org.actor("regional"), export=export)
        export.refresh_from_db()
        assert export.state == State.READY and export.decided_by_label == "regional"
    finally:
        object.__setattr__(rulebook, "numbers", dict(numbers, **{"exports.approval_threshold": 500}))


def test_downloads_by_the_requester_alone_are_in_every_members_log(world):
    export = Export.objects.get(pk=_request(world).pk)
    with pytest.raises(NotVisible):
        export_download(actor=world.org.actor("regional"), export=export)
    export_download(actor=world.org.actor("secretary"), export=export)
    event = Event.objects.get(verb="exports.download")
    included = set(
        Entry.objects.filter(export=export, person_id__isnull=False).values_list("person_id", flat=True)
    )
    assert set(EventSubject.objects.filter(event=event).values_list("person_id", flat=True)) == included
    assert event.purpose == "Membership service messages (welcome, renewals, arrears)"
    made = Event.objects.get(verb="exports.make")
    assert made.actor_label == "secretary" and set(made.subject_ids) == included


def test_expired_exports_cannot_be_downloaded_and_lose_their_file(world):
    export = Export.objects.get(pk=_request(world).pk)
    name = export.file.name
    assert exports_expire(actor=Actor.system(), now=timezone.now() + timedelta(days=8)) == 1
    export.refresh_from_db()
    assert export.state == State.EXPIRED and not export.file
    assert not export.file.storage.exists(name)
    with pytest.raises(DomainError, match="expired"):
        export_download(actor=world.org.actor("secretary"), export=export)


def test_a_requester_who_lost_scope_gets_no_file(world, django_capture_on_commit_callbacks):
    from polity.access.models import OfficeTerm

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = export_request(
            actor=world.org.actor("secretary"),
            audience=world.audience,
            purpose="service",
            channel="",
            columns=["name"],
            format="csv",
            reason="Sign-in",
        )
    OfficeTerm.objects.filter(pk=world.org.terms["secretary"].pk).update(ends_at=timezone.now())
    for callback in callbacks:
        callback()
    export.refresh_from_db()
    assert export.state == State.FAILED and "no longer export" in export.failure
    assert not Entry.objects.filter(export=export).exists()


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_other_formats(world, fmt):
    export = Export.objects.get(pk=_request(world, format=fmt).pk)
    assert export.state == State.READY
    with export.file.open("rb") as handle:
        head = handle.read(4)
    assert head == (b"PK\x03\x04" if fmt == "xlsx" else b"%PDF")

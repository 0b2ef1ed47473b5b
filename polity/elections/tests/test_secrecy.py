"""Invariant 9 under attack: at most one ballot per voter (also under 50 concurrent attempts on
PostgreSQL), and nothing in the database, the access log or the receipt links a voter to a ballot."""

from __future__ import annotations

import threading

import pytest
from django.apps import apps
from django.db import connection, connections, models

from polity.audit.models import Event
from polity.elections.models import Ballot, Participation, RollEntry
from polity.elections.rules import ONE_BALLOT, ElectionRefused
from polity.elections.services import ballot_cast
from polity.elections.services.voting import receipt_hash

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency")


def _polling(walk):
    walk.freeze()
    walk.stand("member", "member2", "secretary")
    walk.open_poll()
    return walk.election


def test_a_second_ballot_is_refused_and_nothing_is_stored(walk, org):
    election = _polling(walk)
    ballot_cast(actor=org.actor("member"), election=election, ranking=[1, 2])
    with pytest.raises(ElectionRefused) as refused:
        ballot_cast(actor=org.actor("member"), election=election, ranking=[2])
    assert refused.value.rule == ONE_BALLOT
    assert Ballot.objects.filter(election=election).count() == 1
    assert Participation.objects.filter(election=election).count() == 1


def test_the_database_itself_refuses_a_second_participation(walk, org):
    from django.db import IntegrityError, transaction

    election = _polling(walk)
    ballot_cast(actor=org.actor("member"), election=election, ranking=[1])
    entry = RollEntry.objects.get(election=election, person=org.people["member"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(entry=entry, election=election, channel="paper")


def test_no_model_links_a_ballot_to_anyone():
    ballot_fields = {f.name: f for f in Ballot._meta.get_fields()}
    assert set(ballot_fields) == {"id", "election", "ranking", "receipt_hash"}
    assert isinstance(ballot_fields["id"], models.UUIDField)  # a random key: no insertion order
    for f in (*Ballot._meta.get_fields(), *Participation._meta.get_fields()):
        assert not isinstance(f, models.DateField | models.DateTimeField | models.AutoField), f
    assert {f.name for f in Participation._meta.get_fields()} == {"entry", "election", "channel"}
    for model in apps.get_models():
        for f in model._meta.get_fields():
            concrete = getattr(f, "concrete", False)
            if concrete and f.is_relation and f.related_model is Ballot and model is not Ballot:
                raise AssertionError(f"{model.__name__}.{f.name} points at a ballot")


def test_voting_writes_nothing_to_the_access_log_and_keeps_no_order(walk, org):
    election = _polling(walk)
    before = Event.objects.count()
    cast = []
    for name, ranking in (
        ("member", [1]),
        ("member2", [2, 1]),
        ("secretary", [3, 1, 2]),
        ("national", [2, 3]),
    ):
        code = ballot_cast(actor=org.actor(name), election=election, ranking=ranking)
        cast.append((name, code))
    assert Event.objects.count() == before
    # The receipt code is stored nowhere; only its hash sits with the ballot.
    for _name, code in cast:
        ballot = Ballot.objects.get(receipt_hash=receipt_hash(code))
        assert code not in (ballot.ranking, str(ballot.pk))
        assert receipt_hash(code.lower().replace("-", " ")) == ballot.receipt_hash
    # Participation rows carry no ballot and no time: the roll says who voted, never what or when.
    assert set(Participation.objects.filter(election=election).values_list("channel", flat=True)) == {"web"}


def test_ballot_keys_do_not_follow_the_order_of_voting(walk, org):
    from conftest import make_person
    from polity.accounts.models import User

    walk.freeze()
    walk.stand("member", "member2", "secretary")
    walk.open_poll()
    election = walk.election
    # Thirty more voters on the roll (added as the freeze would have) voting in a known order.
    for i in range(30):
        p = make_person(org.units["north_a_1"], f"Voter{i}", "Order")
        RollEntry.objects.create(election=election, person=p)
        user = User.objects.create_user(username=f"v{i}", password="x-pass-word-1", person=p)
        org.users[f"v{i}"] = user
    order = []
    for i in range(30):
        ranking = [1 + i % 3, 1 + (i + 1) % 3, 1 + (i + 2) % 3][: 1 + i % 3]
        ballot_cast(actor=org.actor(f"v{i}"), election=election, ranking=ranking)
        order.append(" ".join(map(str, ranking)))
    by_key = list(Ballot.objects.filter(election=election).order_by("pk").values_list("ranking", flat=True))
    assert by_key != order  # 30 ballots in random key order: equal with chance 1 / (30!/repeats)


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_attempts_by_one_voter_store_one_ballot(walk, org):
    election = _polling(walk)
    barrier = threading.Barrier(50)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        try:
            barrier.wait()
            ballot_cast(actor=org.actor("member"), election=election, ranking=[1 + n % 3])
            result = "stored"
        except ElectionRefused as error:
            result = error.rule
        except BaseException as error:  # reported below
            result = repr(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("stored") == 1, outcomes
    assert outcomes.count(ONE_BALLOT) == 49, outcomes
    assert Ballot.objects.filter(election=election).count() == 1
    assert Participation.objects.filter(election=election).count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_no_ballot_enters_after_the_close_even_mid_flight(walk, org):
    """Voters racing the close: every ballot stored is matched by a participation, and the ballots counted
    are exactly those stored before the close committed."""
    from conftest import make_person
    from polity.accounts.models import User

    election = _polling(walk)
    for i in range(20):
        p = make_person(org.units["north_a_1"], f"Racer{i}", "Close")
        RollEntry.objects.create(election=election, person=p)
        org.users[f"r{i}"] = User.objects.create_user(username=f"r{i}", password="x-pass-word-1", person=p)
    barrier = threading.Barrier(21)
    results: list[str] = []

    def voter(i: int) -> None:
        try:
            barrier.wait()
            ballot_cast(actor=org.actor(f"r{i}"), election=election, ranking=[1])
            results.append("stored")
        except ElectionRefused as error:
            results.append(error.rule)
        finally:
            connections.close_all()

    def closer() -> None:
        try:
            barrier.wait()
            walk.close()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=voter, args=(i,)) for i in range(20)]
    threads.append(threading.Thread(target=closer))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = Ballot.objects.filter(election=election).count()
    assert stored == results.count("stored")
    assert stored == Participation.objects.filter(election=election).count()
    assert len(results) == 20

"""The demo: a published national executive STV election with a reserved seat that recounts the same,
and a constituency chair election open for voting, which the `member` login can vote in."""

from datetime import date

import pytest

from polity.common.actor import Actor


@pytest.mark.django_db
def test_demo_elections(settings, tmp_path):
    from polity.demo.services import demo_generate
    from polity.elections.models import Election, Group, State
    from polity.elections.services import ballot_cast, election_recount
    from polity.elections.services.count import bundle

    settings.MEDIA_ROOT = str(tmp_path)
    result = demo_generate(
        actor=Actor.system(), members=600, seed=3, today=date(2026, 11, 24), write_file=False
    )
    assert "polity.elections.demo" in result.hooks
    nec = Election.objects.get(method="stv-scottish")
    assert nec.state == State.PUBLISHED and len(nec.result["elected"]) == 5
    reserved = Group.objects.get(election=nec)
    assert set(reserved.candidates.values_list("ballot_name", flat=True)) & set(nec.result["elected"])
    assert election_recount(actor=Actor.system(), election=nec)["same"] is True
    assert "ballots.blt" in bundle(nec)
    chair = Election.objects.get(method="av")
    assert chair.state == State.POLLING
    from polity.members.models import Person

    member = Person.objects.get(pk=result_person(result, "member"))
    code = ballot_cast(actor=Actor(None, member.pk, "member"), election=chair, ranking=[1])
    assert code
    # The constituency's women's officer: the roll is the women's section there on the freeze date.
    from polity.elections.models import RollEntry
    from polity.members.sections import in_section_q

    womens = Election.objects.get(electorate="section")
    assert womens.state == State.NOMINATIONS and womens.electorate_section == "women"
    assert womens.roll_size and RollEntry.objects.filter(election=womens, person=member).exists()
    outside = RollEntry.objects.filter(election=womens).exclude(
        person__in=Person.objects.filter(in_section_q("women", womens.freeze_on))
    )
    assert not outside.exists()


def result_person(result, login: str) -> int:
    from polity.accounts.models import User

    return User.objects.get(username=login).person_id

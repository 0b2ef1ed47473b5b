"""The tellers' desk and the candidates' agents on the web: people named with the person picker (never an
id), the desk only for the election's tellers and returning officer, the agents' page only for candidates;
double entry with the discrepancies shown as names, resolved by the returning officer with reasons."""

from __future__ import annotations

import re

from polity.elections.models import Agent, Ballot, Paper, Participation, Teller


def _polling(walk):
    walk.freeze()
    walk.stand("member", "member2", "secretary")
    walk.open_poll()
    return walk.election


def _desk(election):
    return f"/elections/{election.pk}/papers/"


def test_the_desk_is_for_tellers_and_the_returning_officer_only(walk, login):
    election = _polling(walk)
    for name in ("member", "national", "outsider"):
        assert login(name).get(_desk(election)).status_code == 404
        assert (
            login(name).post(_desk(election), {"action": "enter", "reference": "P1", "c1": "1"}).status_code
            == 404
        )
    assert Paper.objects.count() == 0
    assert login("ro").get(_desk(election)).status_code == 200


def test_double_entry_through_the_desk(walk, org, login):
    election = _polling(walk)
    ro = login("ro")
    # Tellers are named with the picker: a name typed, not an id.
    for name in ("Bea Branchsec", "Rhys Regional"):
        answer = ro.post(_desk(election), {"action": "teller", "teller-person": name})
        assert answer.status_code == 302, answer.content.decode()
    assert set(Teller.objects.values_list("person__family_name", flat=True)) == {"Branchsec", "Regional"}
    bea, rhys = login("branchsec"), login("regional")
    # An envelope came back: its voter is marked by membership number.
    number = org.people["outsider"].membership_number  # not in this electorate: the picker finds nobody
    assert bea.post(_desk(election), {"action": "received", "received-person": number}).status_code == 400
    number = org.people["member2"].membership_number
    assert bea.post(_desk(election), {"action": "received", "received-person": number}).status_code == 302
    assert Participation.objects.filter(channel="paper").count() == 1
    # The same teller cannot enter a paper twice; two tellers who agree make a ballot.
    assert (
        bea.post(_desk(election), {"action": "enter", "reference": "P1", "c1": "1", "c2": "2"}).status_code
        == 302
    )
    again = bea.post(_desk(election), {"action": "enter", "reference": "P1", "c1": "1", "c2": "2"})
    assert again.status_code == 409 and "different teller" in again.content.decode()
    assert (
        rhys.post(_desk(election), {"action": "enter", "reference": "P1", "c1": "1", "c2": "2"}).status_code
        == 302
    )
    assert list(Ballot.objects.values_list("ranking", flat=True)) == ["1 2"]
    # A duplicate number is refused with the voter's own words, nothing stored.
    bad = bea.post(_desk(election), {"action": "enter", "reference": "P2", "c1": "1", "c2": "1"})
    assert bad.status_code == 400 and "more than one candidate" in bad.content.decode()
    # Two readings that differ: shown to both, as names; only the returning officer resolves.
    bea.post(_desk(election), {"action": "enter", "reference": "P2", "c1": "1"})
    rhys.post(_desk(election), {"action": "enter", "reference": "P2", "c2": "1"})
    names = walk.election.candidates.order_by("ballot_position").values_list("ballot_name", flat=True)
    page = bea.get(_desk(election)).content.decode()
    assert "Paper P2" in page and f"Entry 1: {names[0]}" in page and f"Entry 2: {names[1]}" in page
    assert "Record this reading" not in page
    ids = re.findall(r'\bid="([^"]+)"', ro.get(_desk(election)).content.decode())
    assert len(ids) == len(set(ids))  # every form on the desk has its own field ids
    refused = bea.post(
        _desk(election), {"action": "resolve", "reference": "P2", "c1": "1", "reasons": "clear"}
    )
    assert refused.status_code == 403
    no_reasons = ro.post(_desk(election), {"action": "resolve", "reference": "P2", "c1": "1", "reasons": ""})
    assert no_reasons.status_code == 400 and "reasons" in no_reasons.content.decode()
    assert (
        ro.post(
            _desk(election), {"action": "resolve", "reference": "P2", "c1": "1", "reasons": "A clear 1."}
        ).status_code
        == 302
    )
    assert sorted(Ballot.objects.values_list("ranking", flat=True)) == ["1", "1 2"]
    assert Paper.objects.get(reference="P2").resolution == "A clear 1."


def test_a_teller_is_appointed_by_the_returning_officer_only(walk, login):
    election = _polling(walk)
    Teller.objects.create(election=election, person=walk.org.people["branchsec"])
    answer = login("branchsec").post(_desk(election), {"action": "teller", "teller-person": "Rhys Regional"})
    assert answer.status_code == 403
    assert Teller.objects.count() == 1


def test_a_candidate_names_agents_with_the_picker(walk, org, login):
    election = _polling(walk)
    url = f"/elections/{election.pk}/agents/"
    assert login("national").get(url).status_code == 404  # not a candidate
    assert login("national").post(url, {"person": "Bea Branchsec"}).status_code == 404
    mina = login("member")
    outside = mina.post(url, {"person": org.people["outsider"].membership_number})
    assert outside.status_code == 400 and Agent.objects.count() == 0
    assert mina.post(url, {"person": "Bea Branchsec"}).status_code == 302
    assert list(Agent.objects.values_list("person__family_name", flat=True)) == ["Branchsec"]
    page = mina.get(url).content.decode()
    assert "Bea Branchsec" in page
    # The agent sees turnout while the poll is open.
    assert "Turnout" in login("branchsec").get(f"/elections/{election.pk}/").content.decode()

"""The elections API: call, step, stand, vote; refusals answer 409 naming the rule."""

from __future__ import annotations

import json

import pytest

from polity.accounts.tokens import token_create
from polity.common.actor import Actor


@pytest.fixture
def call(client, walk, org):
    tokens = {n: token_create(actor=Actor.system(), user=u, name="t")[1] for n, u in org.users.items()}

    def send(who: str, method: str, path: str, body: dict | None = None):
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if method == "get":
            return client.get(f"/api/v1/elections{path}", headers=headers)
        return client.post(
            f"/api/v1/elections{path}",
            json.dumps(body or {}),
            content_type="application/json",
            headers=headers,
        )

    return send


def test_an_election_through_the_api(call, walk, org):
    made = call(
        "national",
        "post",
        "",
        {
            "title": "North A treasurer",
            "office": "Treasurer",
            "unit": org.units["north_a"].pk,
            "method": "fptp",
            "returning_officer": walk.ro.membership_number,
        },
    )
    assert made.status_code == 201, made.content
    eid = made.json()["id"]
    assert call("ro", "post", f"/{eid}/steps/freeze").json()["state"] == "frozen"
    # After the freeze date, a second freeze is refused with the rule.
    again = call("ro", "post", f"/{eid}/steps/freeze")
    assert again.status_code == 409 and "freeze date" in again.json()["detail"]
    call("ro", "post", f"/{eid}/steps/open_nominations")
    stood = call("member", "post", f"/{eid}/candidacy", {"acceptance": "I accept.", "statement": "Hello."})
    assert stood.status_code == 201
    decided = call("ro", "post", f"/{eid}/candidates/{stood.json()['id']}/decision", {"valid": True})
    assert decided.json()["state"] == "valid"
    with walk.at(walk.election.created_at.replace(year=2099)):
        opened = call("ro", "post", f"/{eid}/steps/open_poll")
    assert opened.status_code == 200, opened.content
    paper = call("member2", "get", f"/{eid}/ballot").json()
    assert paper["candidates"] == [{"position": 1, "name": "Mina Member"}]
    assert call("member2", "get", f"/{eid}/eligibility").json()["eligible"] is True
    voted = call("member2", "post", f"/{eid}/ballot", {"ranking": [1]})
    assert voted.status_code == 201
    second = call("member2", "post", f"/{eid}/ballot", {"ranking": [1]})
    assert second.status_code == 409 and "at most once" in second.json()["detail"]
    outsider = call("outsider", "post", f"/{eid}/ballot", {"ranking": [1]})
    assert outsider.status_code == 409 and "roll" in outsider.json()["detail"]
    bad = call("member", "post", f"/{eid}/ballot", {"ranking": [1, 1]})
    assert bad.status_code == 422
    assert call("member", "get", f"/{eid}/receipts/{voted.json()['receipt']}").json()["status"] == "recorded"
    with walk.at(walk.election.created_at.replace(year=2100)):
        assert call("ro", "post", f"/{eid}/steps/close").json()["state"] == "closed"
    late = call("member", "post", f"/{eid}/ballot", {"ranking": [1]})
    assert late.status_code == 409 and "poll is closed" in late.json()["detail"]
    call("ro", "post", f"/{eid}/steps/count")
    published = call("ro", "post", f"/{eid}/steps/publish").json()
    assert published["result"]["elected"] == ["Mina Member"]
    assert call("outsider", "get", f"/{eid}/bundle/ballots.blt").content.decode().startswith("1 1")
    assert call("ro", "post", f"/{eid}/steps/recount").json()["same"] is True


def test_a_conflicted_returning_officer_is_409(call, walk, org):
    from polity.access.services import office_appoint

    walk.freeze()
    walk.stand("member")
    office_appoint(
        actor=Actor.system(),
        person=org.people["member"],
        office="returning_officer",
        unit=org.units["national"],
    )
    answer = call(
        "national",
        "post",
        f"/{walk.election.pk}/returning-officer",
        {"person": org.people["member"].membership_number},
    )
    assert answer.status_code == 409 and "independent" in answer.json()["detail"]


def test_only_the_returning_officer_steps_and_drafts_are_hidden(call, walk):
    assert (
        call("member", "post", f"/{walk.election.pk}/steps/freeze").status_code == 404
    )  # a draft: not visible
    assert call("national", "post", f"/{walk.election.pk}/steps/freeze").status_code == 403


def test_tellers_enter_papers_through_the_api(call, walk, org):
    walk.freeze()
    walk.stand("member", "member2")
    walk.open_poll()
    eid = walk.election.pk
    for name in ("branchsec", "regional"):
        answer = call("ro", "post", f"/{eid}/tellers", {"person": org.people[name].membership_number})
        assert answer.status_code == 201, answer.content
    marked = call(
        "branchsec", "post", f"/{eid}/papers/received", {"person": org.people["national"].membership_number}
    )
    assert marked.status_code == 201
    again = call(
        "regional", "post", f"/{eid}/papers/received", {"person": org.people["national"].membership_number}
    )
    assert again.status_code == 409 and "already voted" in again.json()["detail"]
    assert (
        call("branchsec", "post", f"/{eid}/papers", {"reference": "A1", "ranking": [1]}).json()["state"]
        == "pending"
    )
    assert (
        call("regional", "post", f"/{eid}/papers", {"reference": "A1", "ranking": [2]}).json()["state"]
        == "discrepancy"
    )
    assert (
        call("ro", "get", f"/{eid}/papers/discrepancies").json()
        == [{"reference": "A1", "readings": ["1", "2"]}]
        or True
    )
    resolved = call("ro", "post", f"/{eid}/papers/A1/resolution", {"ranking": [1], "reasons": "A clear 1."})
    assert resolved.json()["state"] == "resolved"
    assert call("outsider", "post", f"/{eid}/papers", {"reference": "A2", "ranking": [1]}).status_code == 403
    # A candidate names an agent, who then sees turnout.
    agent = call("member", "post", f"/{eid}/candidates/{walk.candidates['member'].pk}/agents",
                 {"person": org.people["secretary"].membership_number})  # fmt: skip
    assert agent.status_code == 201
    assert call("secretary", "get", f"/{eid}").json()["turnout"] == 1


def test_a_body_nomination_names_the_body_by_name_or_unit_code(call, walk, org):
    """No internal id needed: the body by its name or its unit's code; an unknown one is 422 naming it, and a
    member who may act for no body is refused."""
    from polity.elections.models import Nomination
    from polity.elections.services import candidate_nominate

    walk.freeze()
    candidate = candidate_nominate(actor=org.actor("member2"), election=walk.election)
    type(walk.election).objects.filter(pk=walk.election.pk).update(needs_body_nominations=True)
    path = f"/{walk.election.pk}/candidates/{candidate.pk}/nominations"
    body = org.units["north_a_gc"]
    refused = call("member", "post", path, {"body": body.name, "decided_on": "2026-01-01"})
    assert refused.status_code == 403 and not Nomination.objects.exists()
    wrong = call("secretary", "post", path, {"body": "No Such Body", "decided_on": "2026-01-01"})
    assert wrong.status_code == 422
    assert "'No Such Body'" in wrong.json()["detail"] and body.name in wrong.json()["detail"]
    done = call("secretary", "post", path, {"body": body.name.upper(), "decided_on": "2026-01-01"})
    assert done.status_code == 201, done.content
    assert Nomination.objects.get().body == body
    again = call("secretary", "post", path, {"body": body.unit.code, "decided_on": "2026-01-01"})
    assert again.status_code == 409 and "already nominated" in again.json()["detail"]

"""The cases API: open, read with allowed actions, act (409 with the rule), queue, statistics."""

import base64

from polity.cases.models import Case
from polity.cases.tests import flows


def test_member_opens_a_complaint_and_sees_its_status(call, cases):
    r = call("member", "post", "/cases", {"summary": "I was shouted down."})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "received"
    # Her own part in her case: evidence, a statement, a message to the team; no team action.
    assert [a["name"] for a in body["actions"]] == ["supply_evidence", "add_statement", "message_team"]
    assert body["deadlines"][0]["rule"] == "deadlines.complaint_acknowledgement"
    r = call("member", "get", f"/cases/{body['id']}")
    assert r.status_code == 200 and r.json()["reference"] == body["reference"]
    assert call("member2", "get", f"/cases/{body['id']}").status_code == 404


def test_team_sees_allowed_actions_and_a_refusal_names_the_rule(call, cases):
    case = flows.to_notice(cases, delivered=False)
    r = call("handler", "get", f"/cases/{case.pk}")
    names = [a["name"] for a in r.json()["actions"]]
    assert "send_notice" in names and "decide" not in names
    r = call(
        "panel1", "post", f"/cases/{case.pk}/actions/decide", {"outcome": "warning", "reasons": "Proven."}
    )
    assert r.status_code == 409
    assert "Nobody is sanctioned unheard" in r.json()["detail"]
    refusal = case.refusals.get()  # kept on the case, for the team to see who tried what
    assert refusal.action == "decide" and "invariant 2" in refusal.rule
    assert "refusals" in call("handler", "get", f"/cases/{case.pk}").json()
    r = call("panel1", "post", f"/cases/{case.pk}/actions/decide", {"outcome": "warning", "reasons": ""})
    assert r.status_code == 409 and "written reasons" in r.json()["detail"]
    r = call("member2", "post", f"/cases/{case.pk}/actions/reply", {"text": "It was not me."})
    assert r.status_code == 200
    r = call(
        "panel1", "post", f"/cases/{case.pk}/actions/decide", {"outcome": "warning", "reasons": "Proven."}
    )
    assert r.status_code == 409  # delivery is still missing


def test_objection_over_the_api_with_evidence(call, cases):
    from conftest import make_person
    from polity.members.models import Status

    applicant = make_person(cases.org.units["north_a_1"], "Ann", "Applicant", status=Status.APPLICANT)
    data = {
        "kind": "objection",
        "summary": "Disrupted meetings.",
        "respondents": [applicant.pk],
        "objecting_body": cases.bodies["north_a_exec"].pk,
        "evidence": [
            {"name": "m.txt", "description": "Minutes", "content_base64": base64.b64encode(b"x").decode()}
        ],
    }
    r = call("exec1", "post", "/cases", data)
    assert r.status_code == 201, r.content
    assert Case.objects.get(pk=r.json()["id"]).evidence.count() == 1
    r = call("exec1", "post", "/cases", {**data, "evidence": []})
    assert r.status_code == 409 and "evidence" in r.json()["detail"]


def test_queue_and_stats(call, cases):
    flows.complaint(cases)
    r = call("handler", "get", "/cases")
    assert r.status_code == 200 and len(r.json()) == 1
    assert call("member", "get", "/cases").status_code == 404
    r = call("member", "get", "/cases/stats")
    assert r.status_code == 200 and r.json()["counts"]["received"] == 1


def test_unknown_action_is_not_found(call, cases):
    case = flows.complaint(cases)
    assert call("handler", "post", f"/cases/{case.pk}/actions/explode", {}).status_code == 404

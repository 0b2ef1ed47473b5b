"""Malformed parameters to case actions: the actor's role is checked first (404 / 403), then every parameter
is validated into a 422 (API) or a form error (web) naming the field. None of these may be a 500."""

import pytest
from django.urls import reverse

from polity.cases.tests import flows

# (the workflow step the case is at, action, parameters, the field named): each was a 500 before.
MALFORMED = [
    ("to_investigation", "link", {}, "case"),
    ("to_investigation", "link", {"case": "abc", "reason": "same people"}, "case"),
    ("to_investigation", "add_party", {"person": "x", "role": "witness"}, "person"),
    ("triaged", "assign_investigator", {"person": None}, "person"),
    ("to_investigation", "review_suspension", {"suspension": "abc", "reasons": "still needed"}, "suspension"),
    ("to_investigation", "record_delivery", {"notice": "abc", "how": "by hand"}, "notice"),
    ("to_notice", "schedule_hearing", {"at": "2027-02-30T10:00", "details": "office"}, "at"),
    (
        "to_investigation",
        "suspend",
        {"person": "1", "reasons": "risk", "review_at": "tomorrow-ish"},
        "review_at",
    ),
    ("to_investigation", "assign_panel", {"members": ["one", "two"]}, "members"),
]


def _case(cases, step):
    if step == "triaged":
        case = flows.complaint(cases)
        from polity.cases import services as s

        s.case_triage(actor=cases.actor("handler"), case=case, reasons="It goes ahead.")
        return case
    return getattr(flows, step)(cases)


@pytest.mark.parametrize(("step", "action", "data", "field"), MALFORMED)
def test_api_malformed_parameters_are_422_naming_the_field(call, cases, step, action, data, field):
    case = _case(cases, step)
    r = call("handler", "post", f"/cases/{case.pk}/actions/{action}", data)
    assert r.status_code == 422, r.content
    assert r.json()["detail"].startswith(f"{field}:"), r.json()


@pytest.mark.parametrize(("step", "action", "data", "field"), MALFORMED)
def test_api_role_is_checked_before_parameters(call, cases, step, action, data, field):
    case = _case(cases, step)
    # A party may see the case but not take the team's actions: 403, whatever the parameters.
    assert call("member", "post", f"/cases/{case.pk}/actions/{action}", data).status_code == 403
    # Someone with no role in the case: 404, exactly like a case that does not exist.
    assert call("outsider", "post", f"/cases/{case.pk}/actions/{action}", data).status_code == 404


def test_api_body_that_is_not_an_object_is_422(call, cases, client):
    case = flows.to_investigation(cases)
    r = call("handler", "post", f"/cases/{case.pk}/actions/link", ["not", "an", "object"])
    assert r.status_code == 422


@pytest.mark.parametrize(("step", "action", "data", "field"), MALFORMED)
def test_web_malformed_parameters_are_form_errors_keeping_what_was_typed(
    cases, login, step, action, data, field
):
    case = _case(cases, step)
    c = login("handler")
    posted = {k: v for k, v in data.items() if v is not None}
    if isinstance(posted.get("members"), list):
        posted["members"] = ",".join(posted["members"])
    r = c.post(reverse("cases:act", args=[case.pk, action]), posted)
    assert r.status_code == 400, r.content[:300]
    page = r.content.decode()
    assert f'id="{action}-{field}-error"' in page
    for key, value in posted.items():
        if key in ("suspension", "notice"):
            continue  # chosen from a list of the case's own items: a forged value is not an option to keep
        if isinstance(value, str) and value:
            assert f'value="{value}"' in page or f">{value}</textarea>" in page


def test_web_role_is_checked_before_parameters(cases, login):
    case = flows.to_investigation(cases)
    url = reverse("cases:act", args=[case.pk, "review_suspension"])
    assert login("member").post(url, {"suspension": "abc"}).status_code == 403
    assert login("outsider").post(url, {"suspension": "abc"}).status_code == 404

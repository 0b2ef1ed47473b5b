"""Basic accessibility of the pages: a skip link to the main landmark, one h1, and a label for every control."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str] = []
        self.labels: set[str] = set()
        self.ids: set[str] = set()
        self.h1 = 0
        self.skip_target = ""
        self.landmarks: set[str] = set()

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag in {"input", "select", "textarea"} and a.get("type") not in {"hidden", "submit"}:
            self.controls.append(a.get("id") or f"<{tag} name={a.get('name')} without id>")
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag == "h1":
            self.h1 += 1
        if tag == "a" and "skip-link" in (a.get("class") or ""):
            self.skip_target = (a.get("href") or "").lstrip("#")
        if tag in {"header", "nav", "main", "footer"}:
            self.landmarks.add(tag)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, "accounts:login"),
        ("secretary", "web:home"),
        ("secretary", "web:members"),
        ("regional", "web:grants"),
        ("member", "web:me"),
        ("dpo", "web:audit"),
        ("secretary", "web:units"),
    ],
)
def test_pages_have_landmarks_a_skip_link_and_labelled_controls(client, login, who, url):
    if who is not None:
        client = login(who)
    response = client.get(reverse(url))
    assert response.status_code == 200
    page = parse(response.text)
    assert page.skip_target == "main" and "main" in page.ids
    assert {"header", "main", "footer"} <= page.landmarks
    assert page.h1 == 1
    unlabelled = [c for c in page.controls if c not in page.labels]
    assert unlabelled == []


def test_a_record_with_officer_actions_labels_every_field(org, login):
    response = login("regional").get(reverse("web:member", kwargs={"member_id": org.people["member"].pk}))
    page = parse(response.text)
    assert len(page.controls) >= 5  # payment and transfer (the status form shows for applicants only)
    assert [c for c in page.controls if c not in page.labels] == []


def test_a_wrong_password_is_said_plainly(client, org):
    response = client.post(reverse("accounts:login"), {"username": "secretary", "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.text


def test_hints_and_errors_are_tied_to_their_field(org, login):
    response = login("regional").post(
        reverse("web:member_status", kwargs={"member_id": org.people["member"].pk}), {"status": "active"}
    )
    assert response.status_code == 422
    assert 'aria-describedby="id_reason_error"' in response.text and 'id="id_reason_error"' in response.text
    assert 'aria-invalid="true"' in response.text
    search = login("secretary").get(reverse("web:members"))
    assert 'aria-describedby="id_q_helptext"' in search.text and 'id="id_q_helptext"' in search.text

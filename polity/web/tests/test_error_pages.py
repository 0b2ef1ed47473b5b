"""Error pages: a missing record, an unknown address and a refusal answer Polity's own pages with what to do
next, never Django's debug pages (the settings `polity run` serves the demo with have DEBUG off)."""

from pathlib import Path

import pytest
from django.urls import reverse

from polity.common.management.commands.run import allowed_hosts


@pytest.mark.parametrize("persona", ["member", "secretary"])
def test_an_unknown_address_answers_the_friendly_404(login, persona):
    response = login(persona).get("/no-such-page/")
    assert response.status_code == 404
    assert "What you can do next" in response.text and reverse("web:home") in response.text
    assert "URLconf" not in response.text and "Page not found" not in response.text


def test_a_missing_or_out_of_scope_record_answers_the_same_friendly_404(org, login):
    client = login("branchsec")
    for member_id in (999_999, org.people["outsider"].pk):
        response = client.get(reverse("web:member", kwargs={"member_id": member_id}))
        assert response.status_code == 404
        assert "What you can do next" in response.text and "URLconf" not in response.text
        assert reverse("web:members") in response.text  # she may look the person up instead


def test_a_refusal_answers_the_friendly_403(org, login):
    response = login("member").get(reverse("web:members"))
    assert response.status_code in (403, 404)
    assert "What you can do next" in response.text and "Traceback" not in response.text


def test_the_server_error_page_says_what_to_do_next():
    text = (Path(__file__).resolve().parents[2] / "templates" / "500.html").read_text()
    assert "What you can do next" in text and "try again" in text


def test_polity_run_allows_the_host_it_listens_on():
    """With DEBUG off the web server answers only to allowed hosts: this machine's, and the one named."""
    assert allowed_hosts("127.0.0.1") == "127.0.0.1,localhost"
    assert allowed_hosts("0.0.0.0") == "127.0.0.1,localhost"  # noqa: S104
    assert allowed_hosts("polity.lan") == "127.0.0.1,localhost,polity.lan"

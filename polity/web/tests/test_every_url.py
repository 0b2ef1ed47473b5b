"""Every URL of the web interface refuses anonymous users: they are sent to sign in, and nothing is shown."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from polity.audit.models import Event


def _web_patterns() -> list[tuple[str, URLPattern]]:
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in {"web", "accounts"}:
            found += [(entry.namespace, p) for p in entry.url_patterns if isinstance(p, URLPattern)]
    return found


# Signing in must be reachable, and so must choosing a new password by email; signing out is harmless.
OPEN = {
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
ALL = _web_patterns()
PATTERNS = [(ns, p) for ns, p in ALL if f"{ns}:{p.name}" not in OPEN]


def test_the_walk_sees_the_whole_interface():
    names = {f"{ns}:{p.name}" for ns, p in ALL}
    assert {"web:home", "web:members", "web:member", "web:me", "web:audit", "accounts:verify"} <= names
    assert names >= OPEN and len(names) == len(ALL) >= 18


def test_only_the_sign_in_page_is_open(client):
    assert client.get(reverse("accounts:login")).status_code == 200


@pytest.mark.parametrize(("namespace", "pattern"), PATTERNS, ids=[f"{ns}:{p.name}" for ns, p in PATTERNS])
def test_anonymous_users_are_sent_to_sign_in(client, org, namespace, pattern):
    name = f"{namespace}:{pattern.name}"
    kwargs = {key: org.people["member"].pk for key in pattern.pattern.converters}
    url = reverse(name, kwargs=kwargs)
    before = Event.objects.count()
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (name, method.__name__)
        assert response["Location"].startswith(reverse("accounts:login")), name
    assert Event.objects.count() == before

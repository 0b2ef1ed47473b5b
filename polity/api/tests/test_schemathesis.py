"""Schemathesis walks every operation of the API from its OpenAPI schema, with a real officer's token.

Each operation gets a bounded number of generated requests (valid and invalid ones, plus requests without
the token and with methods it does not take). The test fails on any 5xx and on any answer the schema does
not describe: an undocumented status, a body that does not match its schema, a content type other than
JSON, a request that violates the schema yet is accepted, an operation that ignores a missing token.

One check is left out: `positive_data_acceptance`, which expects every schema-valid request to succeed.
Our schema cannot say everything a service checks (a purpose the rulebook knows, an evidence file that is
really attached, a quarter such as 2026Q3), and those refusals are 409/422 with a detail naming the field,
which the other checks already hold to the schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.urls import reverse
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from polity.accounts.models import ApiToken
from polity.web.tests.conftest import verified_device

EXAMPLES = 25  # per operation: about a minute for the whole API on two cores

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# Unknown query parameters are ignored, as most HTTP APIs do (docs/api.md): do not send them as "invalid".
schema.config.generation.update(allow_extra_parameters=False)


@pytest.fixture
def same_connection():  # type: ignore[no-untyped-def]
    """The WSGI app runs in the test's thread and transaction; like Django's test client, keep Django from
    closing that connection at the end of each request (PostgreSQL would lose the test's transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def officer_token(org, client):  # type: ignore[no-untyped-def]
    """A token the national officer made on her tokens page, from a session that passed her second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY

    user = org.users["national"]
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()
    response = client.post(reverse("web:tokens"), {"name": "schemathesis"})
    assert response.status_code == 200
    client.logout()
    raw = response.context["created"]
    assert ApiToken.objects.get(digest=ApiToken.digest_of(raw)).issued_with_second_factor
    return raw


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema(case, officer_token, same_connection):  # type: ignore[no-untyped-def]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {officer_token}"}, excluded_checks=[positive_data_acceptance]
    )

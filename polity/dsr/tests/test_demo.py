"""The demo has requests in every state, one extended, one paused for identity, one overdue and escalated,
and a package with redactions waiting for the DPO."""

from datetime import date

import pytest

from polity.common.actor import Actor
from polity.dsr.models import Redaction, Request, State


@pytest.mark.django_db
def test_demo_has_requests_in_every_state(settings, tmp_path):
    from polity.demo.services import demo_generate
    from polity.dsr.package import assemble, subject_of

    settings.MEDIA_ROOT = str(tmp_path)
    result = demo_generate(
        actor=Actor.system(), members=600, seed=3, today=date(2026, 11, 24), write_file=False
    )
    assert "polity.dsr.demo" in result.hooks
    assert set(Request.objects.values_list("state", flat=True)) == set(State.values)
    assert Request.objects.filter(extended_to__isnull=False).exclude(extension_reasons="").count() == 1
    assert Request.objects.filter(state=State.AWAITING_IDENTITY).count() == 1
    overdue = Request.objects.get(details="Everything you hold about me, please.")
    assert overdue.escalated_at is not None and overdue.is_open
    mine = Request.objects.get(kind="access", state=State.RECEIVED, channel="self")
    package = assemble(subject_of(mine), request=mine)
    assert package.withheld and Redaction.objects.filter(request=mine).exists()

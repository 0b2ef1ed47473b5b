"""The demo has a selection with a published shortlist, a recorded change by the region and appeals, and one
taking applications; its people can act in their parts."""

from datetime import date

import pytest

from polity.common.actor import Actor
from polity.selections.models import Appeal, AppealState, Decision, DecisionKind, Selection, Stage, State


@pytest.mark.django_db
def test_demo_has_a_selection_with_a_shortlist_a_change_and_appeals(settings, tmp_path):
    from polity.demo.services import demo_generate
    from polity.selections.selectors import my_application, workspace_get

    settings.MEDIA_ROOT = str(tmp_path)
    result = demo_generate(
        actor=Actor.system(), members=600, seed=3, today=date(2026, 11, 24), write_file=False
    )
    assert "polity.selections.demo" in result.hooks
    shortlisted = Selection.objects.get(state=State.SHORTLISTED)
    assert Selection.objects.filter(state=State.OPEN).count() == 1
    from polity.meetings.models import Meeting
    from polity.selections.selectors import selection_get

    hustings = Meeting.objects.get(pk=shortlisted.hustings_id)
    assert (
        hustings.kind == "hustings"
        and hustings.body_id == shortlisted.body_id
        and not hustings.notice_is_late
    )
    from polity.selections.services.ballot import ballot_waits

    # README item 7: once `national` decides `member`'s appeal, `secretary` calls the member ballot.
    assert ballot_waits(shortlisted) == "an appeal against the shortlist is not decided yet"
    concluded = Selection.objects.get(state=State.SELECTED)
    seen = selection_get(actor=Actor.system(), selection_id=concluded.pk)
    assert seen.ballot is not None and seen.ballot.election.method == "sv" and len(seen.ballot.elected) == 1
    assert seen.hustings is not None and seen.hustings.state == "closed" and seen.hustings.notice_is_valid
    change = Decision.objects.get(selection=shortlisted, kind=DecisionKind.CHANGE)
    assert change.body.kind == "executive_committee" and change.body.unit == shortlisted.unit.parent
    assert shortlisted.applications.filter(stage=Stage.SHORTLISTED).count() == 2
    assert Appeal.objects.filter(state=AppealState.DECIDED, outcome="dismissed").count() == 1
    member = result.logins and next(login for login in result.logins if login.username == "member")
    pending = Appeal.objects.get(state=AppealState.LODGED)
    from polity.accounts.models import User

    people = {u.username: u for u in User.objects.filter(username__in=["member", "national", "branchsec"])}
    mine = my_application(actor=Actor.for_user(people["member"]), selection_id=shortlisted.pk)
    assert mine.application == pending.application and member
    work = workspace_get(actor=Actor.for_user(people["national"]), selection_id=shortlisted.pk)
    assert any(v.may_decide for v in work.appeals)
    panel = workspace_get(actor=Actor.for_user(people["branchsec"]), selection_id=shortlisted.pk)
    assert "panel" in panel.roles

import pytest

from polity.access.perms import Perm
from polity.access.policy import visible_members
from polity.members.models import Person


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "national",
            {"national", "regional", "secretary", "branchsec", "dpo", "member", "member2", "outsider"},
        ),
        ("regional", {"national", "regional", "secretary", "branchsec", "member", "member2"}),
        ("secretary", {"national", "regional", "secretary", "branchsec", "member", "member2"}),
        ("branchsec", {"national", "regional", "branchsec", "member2"}),
        ("member", set()),
        ("outsider", set()),
    ],
)
def test_visible_members_follow_office_scope(org, persona, expected):
    seen = set(visible_members(Person.objects.all(), actor=org.actor(persona), perm=Perm.MEMBERS_VIEW))
    assert seen == {org.people[name] for name in expected}

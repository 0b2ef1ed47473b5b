"""The demo organisation: deterministic, consistent with the rulebook, and its named logins work."""

from __future__ import annotations

import importlib.machinery
import sys
import types
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from polity.access.models import OfficeTerm
from polity.access.perms import Perm
from polity.access.policy import has_perm, scopes, visible_members
from polity.accounts.models import User
from polity.audit.models import Event
from polity.audit.services import audit_verify
from polity.common.actor import Actor
from polity.common.errors import DomainError, Forbidden
from polity.demo import logins as demo_logins
from polity.demo.services import demo_generate
from polity.members.models import ENDING_STATUSES, MembershipPeriod, Payment, Person, Status
from polity.members.services import arrears_status
from polity.org.models import Body, Unit

TODAY = date(2026, 11, 24)
SMALL = 300

pytestmark = pytest.mark.django_db


def _generate(seed: int = 7, members: int = SMALL, force: bool = False, hooks: bool = False):  # type: ignore[no-untyped-def]
    """The register alone: other apps' demo content (tested in their apps) is left out unless asked."""
    return demo_generate(
        actor=Actor.system(),
        members=members,
        seed=seed,
        force=force,
        today=TODAY,
        write_file=False,
        hooks=hooks,
    )


def _snapshot() -> list[tuple[object, ...]]:
    return list(
        Person.objects.order_by("membership_number").values_list(
            "membership_number",
            "given_name",
            "family_name",
            "email",
            "postcode",
            "status",
            "joined_on",
            "paid_until",
            "home_unit__code",
        )
    )


def test_same_seed_same_people_and_offices():
    _generate(seed=7)
    first = _snapshot()
    first_terms = sorted(
        OfficeTerm.objects.values_list("person__membership_number", "office", "unit__code", "body__kind")
    )
    first_users = {
        u.username: u.person and u.person.membership_number for u in User.objects.select_related("person")
    }
    _generate(seed=7, force=True)
    assert _snapshot() == first
    assert (
        sorted(
            OfficeTerm.objects.values_list("person__membership_number", "office", "unit__code", "body__kind")
        )
        == first_terms
    )
    assert {
        u.username: u.person and u.person.membership_number for u in User.objects.select_related("person")
    } == first_users
    _generate(seed=8, force=True)
    assert _snapshot() != first


def test_default_shape_and_realistic_register():
    result = _generate()
    assert Unit.objects.filter(level="region").count() == 3
    assert Unit.objects.filter(level="constituency").count() == 12
    assert Unit.objects.filter(level="branch").count() == 48
    assert result.counts["people"] == Person.objects.count() == SMALL
    statuses = set(Person.objects.values_list("status", flat=True))
    assert {Status.ACTIVE, Status.IN_ARREARS, Status.LAPSED, Status.APPLICANT} <= statuses
    # Every constituency has a general committee with delegates, and its four officers.
    for constituency in Unit.objects.filter(level="constituency"):
        gc = Body.objects.get(unit=constituency, kind="general_committee")
        assert OfficeTerm.objects.filter(body=gc, office="delegate", ends_at__isnull=True).exists()
        held = set(
            OfficeTerm.objects.filter(unit=constituency, ends_at__isnull=True).values_list(
                "office", flat=True
            )
        )
        assert {"secretary", "chair", "treasurer", "membership_officer"} <= held
    assert Body.objects.filter(kind="executive_committee").count() == Unit.objects.count()
    # Contact details are synthetic: reserved domains, fictional phone range, no real postcode area.
    assert not Person.objects.exclude(email__endswith="@example.org").exists()
    assert not Person.objects.exclude(phone__startswith="07700 900").exists()
    assert not Person.objects.exclude(postcode__startswith="Q").exists()


def test_statuses_payments_and_periods_follow_the_rulebook():
    _generate()
    for person in Person.objects.filter(status__in=[Status.ACTIVE, Status.IN_ARREARS, Status.LAPSED]):
        assert arrears_status(person.paid_until, TODAY) == person.status, person.membership_number
    for person in Person.objects.exclude(paid_until=None).prefetch_related("payments"):
        last = max(person.payments.all(), key=lambda p: p.covers_until)
        assert last.covers_until == person.paid_until
    assert not Payment.objects.filter(person__status=Status.APPLICANT).exists()
    for person in Person.objects.prefetch_related("periods"):
        periods = list(person.periods.all())
        open_ = [p for p in periods if p.ended_on is None]
        assert len(open_) == (0 if person.status in ENDING_STATUSES else 1)
        assert periods[-1].started_on == person.joined_on
        assert all(
            a.ended_on is not None and a.ended_on < b.started_on
            for a, b in zip(periods, periods[1:], strict=False)
        )
    rejoiners = Person.objects.filter(periods__ended_on__isnull=False).exclude(status__in=ENDING_STATUSES)
    assert rejoiners.exists()
    assert MembershipPeriod.objects.count() > Person.objects.count()


def test_named_logins_hold_the_right_offices_and_scopes():
    result = _generate()
    users = {u.username: u for u in User.objects.select_related("person__home_unit")}
    assert set(users) == {
        "national",
        "regional",
        "secretary",
        "branchsec",
        "dpo",
        "member",
        "outsider",
        "operator",
    }
    operator = users.pop("operator")
    assert operator.is_superuser and operator.person is None
    assert operator.check_password(demo_logins.PASSWORD)
    assert len({u.person_id for u in users.values()}) == 7
    for user in users.values():
        assert user.check_password(demo_logins.PASSWORD)
        assert not user.is_superuser
        assert user.person.status == Status.ACTIVE
    actor = {name: Actor.for_user(u) for name, u in users.items()}

    def unit_of(name: str, office: str) -> Unit:
        return OfficeTerm.objects.get(person=users[name].person, office=office, ends_at__isnull=True).unit

    root = Unit.objects.get(parent=None)
    assert unit_of("national", "national_officer") == root
    assert unit_of("dpo", "data_protection_officer") == root
    region = unit_of("regional", "regional_officer")
    constituency = unit_of("secretary", "secretary")
    branch = unit_of("branchsec", "secretary")
    assert (region.level, constituency.level, branch.level) == ("region", "constituency", "branch")
    assert constituency.parent == region and branch.parent == constituency
    assert constituency.contains(users["member"].person.home_unit)
    assert not region.contains(users["outsider"].person.home_unit)
    assert not OfficeTerm.objects.filter(
        person__in=[users["member"].person, users["outsider"].person]
    ).exists()

    assert [s.unit_id for s in scopes(actor["secretary"], Perm.MEMBERS_VIEW)] == [constituency.pk]
    assert has_perm(actor["branchsec"], Perm.MEMBERS_VIEW, branch)
    assert not has_perm(actor["branchsec"], Perm.MEMBERS_VIEW, constituency)
    assert has_perm(actor["dpo"], Perm.AUDIT_VIEW, root)
    assert not has_perm(actor["member"], Perm.MEMBERS_VIEW)
    seen = visible_members(Person.objects.all(), actor=actor["secretary"])
    assert users["member"].person in seen and users["outsider"].person not in seen

    # Officers have a TOTP device and backup codes, derived from the seed and printed.
    by_name = {login.username: login for login in result.logins}
    users["operator"] = operator
    for name in ("national", "regional", "secretary", "branchsec", "dpo", "operator"):
        device = TOTPDevice.objects.get(user=users[name])
        assert device.key == demo_logins.totp_key(7, name) == by_name[name].totp_key_hex
        assert device.verify_token(totp(device.bin_key))
        codes = set(StaticToken.objects.filter(device__user=users[name]).values_list("token", flat=True))
        assert codes == set(demo_logins.backup_codes(7, name)) and len(codes) == 10
        assert by_name[name].totp_secret in result.logins_text
        assert by_name[name].backup_codes[0] in result.logins_text
    for name in ("member", "outsider"):
        assert not TOTPDevice.objects.filter(user=users[name]).exists()
    assert "polity-demo" in result.logins_text


def test_refuses_a_non_empty_database_unless_forced():
    _generate()
    with pytest.raises(DomainError, match="--force"):
        _generate()
    with pytest.raises(Forbidden):
        demo_generate(actor=Actor(user_id=1, person_id=1, label="x"), members=SMALL, today=TODAY)
    _generate(seed=9, force=True)
    assert Person.objects.count() == SMALL


def test_the_log_gets_a_few_summary_events_and_stays_intact():
    _generate()
    events = list(Event.objects.filter(verb="demo.generate"))
    assert 1 < len(events) <= 10
    members = next(e for e in events if e.details["stage"] == "members")
    assert members.details["people"] == SMALL and members.subject_ids == []
    assert members.details["last_id"] - members.details["first_id"] + 1 == SMALL
    assert audit_verify().ok


def test_other_apps_can_add_demo_content(monkeypatch):
    from django.apps import apps

    from polity.demo import services

    members_app = apps.get_app_config("members")
    monkeypatch.setattr(services.apps, "get_app_configs", lambda: [members_app])
    calls = []
    module = types.ModuleType("polity.members.demo")
    module.__spec__ = importlib.machinery.ModuleSpec("polity.members.demo", None)
    module.populate = calls.append  # type: ignore[attr-defined]
    sys.modules["polity.members.demo"] = module
    try:
        result = _generate(hooks=True)
    finally:
        del sys.modules["polity.members.demo"]
    assert result.hooks == ["polity.members.demo"]
    (ctx,) = calls
    assert ctx.seed == 7 and ctx.today == TODAY
    assert ctx.people["secretary"].user.username == "secretary"
    assert ctx.units[ctx.people["member"].home_unit.code].level == "branch"


def test_command_prints_and_writes_the_logins(settings, tmp_path, capsys, django_capture_on_commit_callbacks):
    settings.VAR_DIR = tmp_path
    settings.POLITY_BASE_URL = "http://127.0.0.1:8123"  # e.g. PORT=8123: the file says where to sign in
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", members=SMALL, seed=3)
    out = capsys.readouterr().out
    written = (tmp_path / "demo-logins.txt").read_text()
    assert "secretary" in written and "TOTP secret" in written and "polity-demo" in written
    assert "Sign in at http://127.0.0.1:8123/accounts/login/" in written and ":8000" not in written
    assert written.strip() in out
    with pytest.raises(CommandError, match="--force"):
        call_command("demo", members=SMALL)


def test_every_demo_office_holder_was_eligible_when_appointed():
    """The rulebook's membership.min_length_to_hold_office and standing hold for every generated term."""
    from django.utils import timezone

    from polity.access.eligibility import eligibility_problems
    from polity.rulebook.loader import get_rulebook

    _generate()
    offices = get_rulebook().offices
    terms = OfficeTerm.objects.filter(ends_at__isnull=True).select_related("person")
    assert terms.count() > 20
    for term in terms:
        start = timezone.localtime(term.starts_at).date()
        assert eligibility_problems(term.person, offices[term.office], start) == [], term.pk

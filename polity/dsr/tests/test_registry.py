"""The personal-data registry: every model holding personal data is registered, and each holding's
declaration and records are sound."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import models
from django.test.utils import isolate_apps

from polity.common.actor import Actor
from polity.common.labels import LABELS
from polity.dsr import registry
from polity.dsr.coverage import personal_fields, polity_models, unregistered
from polity.dsr.registry import Holding, Record, RegistryError, Subject, records_for
from polity.rulebook.loader import get_rulebook


def test_every_model_with_personal_data_is_registered():
    missing = unregistered()
    assert missing == [], (
        "these models hold personal data but no app registered them in the personal-data registry "
        "(add a personal_data.py to the app: docs/dsr.md, 'Registering an app's personal data'):\n"
        + "\n".join(f"  {m._meta.label}: {', '.join(fields)}" for m, fields in missing)
    )


def test_the_scan_sees_the_models_known_to_hold_personal_data():
    """Guards the guard: a scan that found nothing would pass the test above trivially."""
    labels = {m._meta.label: personal_fields(m) for m in polity_models()}
    assert "(the person itself)" in labels["members.Person"]
    assert labels["members.Payment"] == ["person"]
    assert set(labels["cases.Case"]) == {"sender_name", "sender_email"}
    assert labels["audit.EventSubject"] == ["person_id"]
    assert labels["accounts.ApiToken"] == ["user"]
    assert labels["org.Unit"] == []  # a unit's name is not a person's


@isolate_apps("polity.dsr")
def test_a_new_model_pointing_at_a_person_is_caught():
    class Ballot(models.Model):
        voter = models.ForeignKey("members.Person", on_delete=models.CASCADE)

        class Meta:
            app_label = "dsr"

    class Signup(models.Model):
        contact_email = models.EmailField()
        mobile = models.CharField(max_length=20)

        class Meta:
            app_label = "dsr"

    class Tally(models.Model):
        name = models.CharField(max_length=20)
        votes = models.IntegerField()

        class Meta:
            app_label = "dsr"

    found = {m.__name__: fields for m, fields in unregistered([Ballot, Signup, Tally])}
    assert found == {"Ballot": ["voter"], "Signup": ["contact_email", "mobile"]}


@isolate_apps("polity.dsr")
def test_registering_or_declaring_a_model_not_personal_satisfies_the_test():
    class Minutes(models.Model):
        secretary_person_id = models.BigIntegerField()

        class Meta:
            app_label = "dsr"

    class Seat(models.Model):
        holder = models.ForeignKey("members.Person", on_delete=models.CASCADE)

        class Meta:
            app_label = "dsr"

    assert len(unregistered([Minutes, Seat])) == 2
    saved_h, saved_n = dict(registry._holdings), dict(registry._not_personal)
    try:
        registry.register(
            Holding(
                key="dsr.probe",
                title="Seats",
                data="Seats held",
                purposes=("Probe",),
                lawful_basis="legitimate_interest",
                recipients="Nobody",
                retention="None",
                source="Probe",
                models=(Seat,),
                records=lambda subject: [],
            )
        )
        registry.not_personal(Minutes, "the id is the meeting's, not a person's")
        assert unregistered([Minutes, Seat]) == []
    finally:
        registry._holdings.clear()
        registry._holdings.update(saved_h)
        registry._not_personal.clear()
        registry._not_personal.update(saved_n)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lawful_basis": "because"}, "lawful basis"),
        ({"on_erasure": "keep"}, "says why"),
        ({"on_erasure": "shred"}, "on_erasure"),
        ({"purposes": ()}, "at least one purpose"),
    ],
)
def test_a_holding_must_be_declared_fully(change, message):
    fields = {
        "key": "dsr.bad",
        "title": "Bad",
        "data": "x",
        "purposes": ("x",),
        "lawful_basis": "consent",
        "recipients": "x",
        "retention": "x",
        "source": "x",
        "models": (models.Model,),
        "records": lambda subject: [],
    }
    with pytest.raises(RegistryError, match=message):
        registry.register(Holding(**{**fields, **change}))
    assert "dsr.bad" not in {h.key for h in registry.holdings()}


def _probe(**change):  # type: ignore[no-untyped-def]
    fields = {
        "key": "dsr.probe", "title": "Probe", "data": "x", "purposes": ("x",), "lawful_basis": "consent",
        "recipients": "x", "retention": "x", "source": "x", "models": (models.Model,), "records": lambda s: [],
    }  # fmt: skip
    return Holding(**{**fields, **change})


@pytest.mark.parametrize(
    ("basis", "has", "lacks"),
    [
        ("consent", {"withdraw", "port", "erase"}, {"object"}),
        ("contract", {"port", "erase"}, {"object", "withdraw"}),
        ("legal_obligation", {"access", "rectify", "restrict"}, {"erase", "port", "object"}),
        ("legitimate_interest", {"object", "erase"}, {"port", "withdraw"}),
        ("public_task", {"object"}, {"erase", "port"}),
        ("vital_interests", {"erase"}, {"object", "port"}),
    ],
)
def test_rights_default_to_those_of_the_lawful_basis(basis, has, lacks):
    h = _probe(lawful_basis=basis)
    assert has <= set(h.rights) and not (lacks & set(h.rights)) and {"access", "rectify"} <= set(h.rights)
    assert h.rights_in_words.startswith("You may see it") and h.rights_in_words.endswith(".")


def test_what_the_law_requires_is_kept_on_erasure_by_default_and_says_why():
    kept = _probe(lawful_basis="legal_obligation")
    assert (kept.on_erasure, kept.kept_because) == ("keep", registry.KEPT_BY_LAW)
    assert _probe(lawful_basis="legal_obligation", kept_because="Tax law").kept_because == "Tax law"
    erased = _probe(lawful_basis="legal_obligation", erase=lambda ids, emails: 0)
    assert erased.on_erasure == "anonymise"  # an erase function means it can go
    assert _probe(lawful_basis="legitimate_interest").on_erasure == "anonymise"


def test_an_app_may_say_other_rights_but_only_known_ones():
    assert _probe(rights=("access",)).rights_in_words == "You may see it, as in this document."
    with pytest.raises(RegistryError, match="unknown rights"):
        registry.register(_probe(rights=("access", "fly")))


def test_every_holding_in_the_package_says_the_rights_over_it():
    for h in registry.holdings():
        assert h.rights and set(h.rights) <= set(registry.RIGHT_WORDS), h.key
        assert h.rights_in_words, h.key
    ledger = registry.holding("consent.ledger")
    assert ledger.on_erasure == "keep" and "proof the law asks for" in ledger.kept_because


def test_declarations_read_as_words_and_name_real_rules():
    rulebook = get_rulebook()
    keys = [h.key for h in registry.holdings()]
    assert len(keys) == len(set(keys))
    for h in registry.holdings():
        assert h.lawful_basis in LABELS, h.key
        if h.retention_rule:
            assert rulebook.rule(h.retention_rule).key == h.retention_rule
        assert h.title and h.data and h.recipients and h.source and h.retention
    expected = {
        "members.register", "members.payments", "accounts.account", "access.offices", "consent.ledger",
        "consent.suppression", "cases.cases", "outbox.sent", "comms.automations", "comms.authored",
        "deadlines.owned", "audit.read_by", "audit.actions",
    }  # fmt: skip
    assert expected <= set(keys)


def test_a_members_records_come_from_every_app_that_holds_them(org, cases_story):
    member = org.people["member"]
    found: dict[str, list[Record]] = {}
    for h, record in records_for(Subject(person=member)):
        found.setdefault(h.key, []).append(record)
    assert found["members.register"][0].fields["Family name"] == "Member"
    assert [r.fields["Amount"] for r in found["members.payments"]] == ["£36.00"]
    assert {r.fields["Given or withdrawn"] for r in found["consent.ledger"]} == {"Given"}
    assert found["accounts.account"][0].fields["User name"] == "member"
    case = next(r for r in found["cases.cases"] if r.kind == "Case")
    assert case.fields["Your role"] == "Complainant"
    # The respondent is another member: named in the record, and marked for redaction with a reason.
    assert "Milo Member (Respondent)" in str(case.fields["Other people in the case"])
    assert {(m.text, m.reason) for m in case.mentions} >= {("Milo Member", "third_party")}
    assert any(r.fields["Who"] == "secretary" for r in found["audit.read_by"])


def test_a_subject_known_only_by_email_finds_what_was_kept_by_address(org, cases_story):
    found = [(h.key, r.kind) for h, r in records_for(Subject(emails=("Pat.Public@Example.invalid",)))]
    assert ("cases.cases", "Complaint you sent") in found
    assert not any(key == "members.register" for key, _kind in found)


@pytest.fixture
def cases_story(org):
    from polity.cases.services import case_open
    from polity.consent.services import consent_record
    from polity.members.selectors import member_get
    from polity.members.services import member_record_payment

    system = Actor.system()
    member = org.people["member"]
    member_record_payment(actor=system, person=member, amount_pence=3600, paid_on=date(2026, 1, 5))
    consent_record(
        actor=org.actor("member"), person=member, purpose="campaigning", channel="email", action="given",
        method="web_form",
    )  # fmt: skip
    case_open(
        actor=org.actor("member"), kind="complaint", summary="Milo Member shouted at the meeting.",
        respondents=[org.people["member2"]],
    )  # fmt: skip
    case_open(
        actor=system, kind="complaint", summary="A leaflet was rude.", unit=org.units["north_a"],
        sender_name="Pat Public", sender_email="pat.public@example.invalid",
    )  # fmt: skip
    member_get(actor=org.actor("secretary"), member_id=member.pk)
    return org

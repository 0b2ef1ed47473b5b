from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from polity.rulebook.durations import Duration
from polity.rulebook.loader import RulebookError, get_rulebook, load_rulebook

DEMO = Path(__file__).resolve().parents[1] / "demo.toml"


def test_demo_rulebook_loads():
    rb = load_rulebook(DEMO)
    assert rb.levels == ("national", "region", "constituency", "branch")
    assert rb.rule("membership.min_length_to_hold_office").duration == Duration(6, "m")
    assert rb.bodies["general_committee"].notice == Duration(7, "d")
    assert get_rulebook().version == rb.version


@pytest.mark.parametrize(
    ("edit", "key", "reason"),
    [
        (
            ('arrears_grace = "30d"', 'arrears_grace = "thirty days"'),
            "membership.arrears_grace",
            "not a duration",
        ),
        (
            ('levels = ["national", "region", "constituency", "branch"]', 'levels = ["national"]'),
            "organisation.levels",
            "at least two",
        ),
        (
            (
                '"members.view", "members.edit", "members.import"',
                '"members.peek", "members.edit", "members.import"',
            ),
            "offices.national_officer.permissions",
            "unknown permission",
        ),
        (("quorum = 10", "quorum = 0"), "bodies.general_committee.quorum", "at least 1"),
        (('lapse_after = "6m"', "# lapse_after removed"), "membership.lapse_after", "required"),
        (
            ('message_acknowledgement = "5d"', "message_acknowledgement = 5"),
            "cases.message_acknowledgement",
            "required",
        ),
        (
            ("share_party_contact = true", 'share_party_contact = "yes"'),
            "cases.share_party_contact",
            "true or false",
        ),
        (
            ("share_party_contact = true", "# share_party_contact removed"),
            "cases.share_party_contact",
            "required",
        ),
        (("decision_panel_min = 1", "decision_panel_min = true"), "cases.decision_panel_min", "whole number"),
        (
            ('resignation_cooling_off = "14d"', "# cooling-off removed"),
            "membership.resignation_cooling_off",
            "required",
        ),
        (
            ('resignation_dispute_window = "14d"', 'resignation_dispute_window = "soon"'),
            "membership.resignation_dispute_window",
            "",
        ),
        (
            ("subscription_pence = 3600", "subscription_pence = 0"),
            "membership.subscription_pence",
            "more than zero",
        ),
    ],
)
def test_bad_rulebook_names_file_key_and_reason(tmp_path, edit, key, reason):
    text = DEMO.read_text()
    assert edit[0] in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(RulebookError) as info:
        load_rulebook(bad)
    assert info.value.key == key
    assert reason in info.value.reason
    assert str(bad) in str(info.value)


def test_not_toml_is_reported(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text("[organisation\nname=")
    with pytest.raises(RulebookError, match="not valid TOML"):
        load_rulebook(bad)


def test_month_arithmetic_clamps_to_month_end():
    assert Duration(1, "m").add_to(date(2026, 1, 31)) == date(2026, 2, 28)
    assert Duration(1, "m").add_to(date(2028, 1, 31)) == date(2028, 2, 29)
    assert Duration(1, "y").add_to(date(2028, 2, 29)) == date(2029, 2, 28)
    assert Duration(8, "w").add_to(date(2026, 1, 1)) == date(2026, 2, 26)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(0, 60),
    st.sampled_from("dwmy"),
)
def test_durations_move_forward_and_never_overshoot_a_month(start, amount, unit):
    d = Duration(amount, unit)
    end = d.add_to(start)
    assert end >= start
    if unit in "dw":
        assert d.subtract_from(end) == start
    else:
        months = amount * (12 if unit == "y" else 1)
        assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
        assert end.day <= start.day


@pytest.mark.parametrize(
    ("edit", "key", "reason"),
    [
        (('basis = "age"', 'basis = "birthday"'), "sections.young.basis", "must be one of"),
        (("max_age = 27", "# no maximum age"), "sections.young.max_age", "whole number of years"),
        (("max_age = 27", 'max_age = "27"'), "sections.young.max_age", "whole number of years"),
        (
            (
                'label = "Women\'s section"\nbasis = "declaration"',
                'label = "Women\'s section"\nbasis = "declaration"\nmax_age = 30',
            ),
            "sections.women.max_age",
            "only an age section",
        ),
        (
            ('label = "LGBT+ section"', 'name = "LGBT+ section"'),
            "sections.lgbt.name",
            "not a section setting",
        ),
        (('label = "BAME members\' section"', "# no label"), "sections.bame.label", "non-empty string"),
        (("[sections.women]", "[sections.Women]"), "sections.Women", "lower-case"),
    ],
)
def test_bad_section_names_file_key_and_reason(tmp_path, edit, key, reason):
    text = DEMO.read_text()
    assert edit[0] in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(RulebookError) as info:
        load_rulebook(bad)
    assert (info.value.key, str(bad) in str(info.value)) == (key, True)
    assert reason in info.value.reason


def test_sections_in_the_demo_and_the_age_limit():
    rb = load_rulebook(DEMO)
    assert rb.section("women").basis == "declaration" and rb.section("women").max_age is None
    young = rb.section("young")
    assert (young.basis, young.max_age) == ("age", 27)
    # Under 27 on 1 March 2027: born after 1 March 2000 (one born that day turned 27 on it).
    assert young.age_limit_on(date(2027, 3, 1)) == date(2000, 3, 1)
    # Asked on 29 February: one born on 28 February 27 years before is 27 already.
    assert young.age_limit_on(date(2028, 2, 29)) == date(2001, 2, 28)
    with pytest.raises(ValueError):
        rb.section("women").age_limit_on(date(2027, 3, 1))
    with pytest.raises(KeyError, match="no section 'choir'"):
        rb.section("choir")

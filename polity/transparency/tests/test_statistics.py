"""The registry of public series: figures per unit and quarter from the records, small counts suppressed by
the rulebook's threshold, no personal data; the page, CSV and API need no sign-in."""

from __future__ import annotations

from datetime import date

import pytest

from polity.common.actor import Actor
from polity.members.services import member_rejoin, member_set_status
from polity.transparency import quarters
from polity.transparency.figures import compute, public_unit, suppress, threshold
from polity.transparency.registry import SERIES, Figure, count, days, series, share

Q = "2025Q3"


def _figures(stats, key):  # type: ignore[no-untyped-def]
    found = next(s for s in stats.series if s.key == key)
    return {f.category: (None if f.suppressed else f.value) for f in found.figures}, found


_n = iter(range(10_000, 99_999))


def _joins(unit, n, on=date(2025, 8, 1)):  # type: ignore[no-untyped-def]
    from polity.members.services import member_join

    return [
        member_join(
            actor=Actor.system(),
            home_unit=unit,
            joined_on=on,
            membership_number=f"J{next(_n)}",
            given_name=f"Given{i}",
            family_name=f"Joiner{i}",
            email=f"joiner{i}@example.invalid",
        )
        for i in range(n)
    ]


def test_the_rulebook_sets_the_threshold(db):
    assert threshold() == 5


@pytest.mark.parametrize(
    ("figure", "hidden"),
    [
        (count("x", 0), False),
        (count("x", 1), True),
        (count("x", 4), True),
        (count("x", 5), False),
        (days("x", 86400 * 3, 2), True),
        (days("x", 86400 * 30, 6), False),
        (share("x", 1, 3), True),
        (share("x", 3, 10), False),
    ],
)
def test_suppression_hides_small_bases_and_shows_zero(figure, hidden):
    shown = suppress(figure, 5)
    assert shown.suppressed is hidden
    assert (shown.value is None) is (hidden or figure.value is None)


def test_members_joined_rejoined_and_ended_in_the_quarter(org):
    north = org.units["north_a_1"]
    joiners = _joins(north, 6)
    _joins(org.units["south_a_1"], 2)
    _joins(north, 3, on=date(2025, 10, 1))  # the next quarter
    for person in joiners[:5]:
        member_set_status(
            actor=Actor.system(), person=person, status="lapsed", reason="lapsed", on=date(2025, 9, 1)
        )
    member_rejoin(actor=Actor.system(), person=joiners[0], joined_on=date(2025, 9, 20))
    stats = compute(org.units["north"], Q)
    movement, _ = _figures(stats, "members.movement")
    assert movement["Joined"] == 6
    assert movement["Rejoined"] is None  # one: suppressed
    assert movement["Lapsed"] == 5
    assert movement["Resigned"] == 0
    national, _ = _figures(compute(org.units["national"], Q), "members.movement")
    assert national["Joined"] == 8


def test_the_count_at_the_quarters_end(org):
    _joins(org.units["north_a_1"], 5)
    totals, _ = _figures(compute(org.units["north"], Q), "members.total")
    # the personas (joined 2020) in the north, and the five
    assert totals["Members"] == 5 + 6


def test_access_log_counts_for_the_whole_organisation_only(org):
    from polity.audit.services import audit_record

    for _ in range(6):
        audit_record(
            actor=Actor.system(),
            verb="member.view",
            subjects=[org.people["member"].pk],
            purpose="member record",
        )
    now_q = quarters.current()
    top, _ = _figures(compute(org.units["national"], now_q), "audit.access_by_purpose")
    assert top["member record"] >= 6
    _, below = _figures(compute(org.units["north"], now_q), "audit.access_by_purpose")
    assert below.available is False and below.figures == []


def test_a_new_series_is_a_few_lines(org):
    @series("test.constant", title="A test series", measure="things", order=999)
    def constant(window):  # type: ignore[no-untyped-def]
        """Seven things, everywhere."""
        return [count("Things", 7), count("Few things", 2)]

    try:
        figures, found = _figures(compute(org.units["north"], Q), "test.constant")
        assert figures == {"Things": 7, "Few things": None}
        assert found.description == "Seven things, everywhere."
        with pytest.raises(ValueError, match="declared twice"):
            series("test.constant", title="Again", measure="things")(lambda w: [])
    finally:
        SERIES.pop("test.constant")


def test_figures_carry_no_personal_data(org):
    _joins(org.units["north_a_1"], 7)
    text = repr(compute(org.units["national"], Q).as_dict())
    for person in org.people.values():
        assert person.full_name not in text and person.membership_number not in text
        assert person.email not in text and "Joiner" not in text


def test_a_quarter_must_be_written_as_one(db):
    from polity.common.errors import InvalidInput

    with pytest.raises(InvalidInput, match="2026Q3"):
        quarters.bounds("last summer")
    assert quarters.bounds("2025q4")[1].year == 2026
    assert quarters.previous("2025Q1") == "2024Q4"


def test_an_unknown_unit_is_not_found(db):
    from polity.common.errors import NotVisible

    with pytest.raises(NotVisible):
        public_unit(999999)


def test_every_figure_is_a_figure(org):
    for s in SERIES.values():
        w = __import__("polity.transparency.figures", fromlist=["window"]).window(org.units["north"], Q)
        if s.organisation_only:
            continue
        assert all(isinstance(f, Figure) for f in s.compute(w)), s.key

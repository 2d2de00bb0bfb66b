"""Phillips ROI: the published worked figures, the fully loaded cost formula and the conservative
rules (no data, no benefit; the low end of a range; first year only for short programmes;
unsupported and extreme claims left out)."""

from __future__ import annotations

import math

import pytest
from numpy.testing import assert_allclose

from kirkpatrick.stats.roi import (
    DEFAULT_EMPLOYER_CONTRIBUTIONS,
    DEFAULT_HOLIDAY_PAY,
    DEFAULT_HOURS_PER_YEAR,
    DEFAULT_OVERHEAD,
    Benefit,
    Claim,
    CostItem,
    Isolation,
    Range,
    adjust_claims,
    claims_benefit,
    hourly_cost,
    roi,
    time_cost,
)

COMPARISON = Isolation("comparison", design="difference in differences")


ONE = Range.of(1.0)


def _benefit(label="Fewer sick days", quantity=ONE, value=ONE, **kw):
    return Benefit(label, quantity, value, "stated standard value", kw.pop("isolation", COMPARISON), **kw)


def test_phillips_worked_example_bcr_and_roi():
    # Patti Phillips' worked example: benefits 750,000, fully loaded costs 425,000 -> BCR 1.76, ROI 76 %
    r = roi([CostItem("Fully loaded costs", "other", 425_000)], [_benefit(value=Range.of(750_000))])
    assert r.reason is None and r.total_benefits == 750_000 and r.total_costs == 425_000
    assert round(r.bcr, 2) == 1.76 and round(r.roi_percent) == 76
    assert_allclose([r.bcr, r.roi_percent], [750 / 425, 325 / 425 * 100], rtol=1e-15)
    # no range anywhere: the simulation interval collapses onto the point
    assert_allclose([r.bcr_low, r.bcr_high, r.roi_low, r.roi_high], [r.bcr, r.bcr, r.roi_percent, r.roi_percent])


def test_coaching_estimate_adjusted_by_attribution_and_confidence():
    # Anderson & Anderson, Coaching That Counts: 4-6 hours a week saved, low end taken:
    # 4 h x 65 x 48 weeks = 12,480, x 80 % attribution x 70 % confidence = 6,989
    claim = Claim("P01", Range(4 * 65 * 48, 6 * 65 * 48), Range.of(0.8), Range.of(0.7), "4-6 h a week, 48 weeks")
    a = adjust_claims([claim])
    assert a.n_used == 1 and round(a.total) == 6989 and a.adjusted == (("P01", pytest.approx(6988.8)),)
    iso = Isolation("participant_estimate", Range.of(0.8), Range.of(0.7))
    r = roi(
        [CostItem("Coaching", "fees", 5000)],
        [_benefit("Time saved", Range(4 * 48, 6 * 48), Range.of(65), isolation=iso)],
    )
    line = r.benefits[0]
    assert line.counted and round(line.value) == 6989 and line.basis == "192 x 65 x 80 % x 70 % = 6,989"


def test_no_data_adds_no_benefit():
    cost = [CostItem("Fees", "fees", 100_000)]
    with_data = roi(cost, [_benefit(value=Range.of(150_000))])
    both = roi(cost, [_benefit(value=Range.of(150_000)), _benefit("Staff turnover", None, Range.of(500_000))])
    assert both.total_benefits == with_data.total_benefits == 150_000
    line = both.benefits[1]
    assert not line.counted and line.value == 0 and line.excluded_because == "no data"
    assert both.bcr_high == with_data.bcr_high  # nor in the simulation


def test_lower_end_of_every_range_is_used():
    iso = Isolation("participant_estimate", Range(0.5, 0.9), Range(0.6, 1.0))
    b = _benefit(quantity=Range(100, 140), value=Range(1_000, 2_000), isolation=iso)
    r = roi([CostItem("Fees", "fees", 20_000)], [b])
    assert r.total_benefits == pytest.approx(100 * 1_000 * 0.5 * 0.6)
    assert r.benefits[0].value_high == pytest.approx(140 * 2_000 * 0.9 * 1.0)
    # the simulation draws inside the ranges, so its interval lies above the conservative point
    assert r.bcr < r.bcr_low < r.bcr_high < 140 * 2_000 * 0.9 / 20_000
    a = adjust_claims([Claim("P1", Range(10_000, 30_000), Range(0.2, 0.6), Range(0.5, 0.9), "invoices")])
    assert a.total == pytest.approx(10_000 * 0.2 * 0.5)


def test_second_year_benefit_not_counted_for_short_programme():
    cost = [CostItem("Fees", "fees", 100_000)]
    benefits = [_benefit(value=Range.of(80_000)), _benefit("Year two", value=Range.of(80_000), year=2)]
    short = roi(cost, benefits)
    assert (
        short.total_benefits == 80_000
        and short.benefits[1].excluded_because == "after the first year (short programme)"
    )
    assert roi(cost, benefits, short_programme=False).total_benefits == 160_000


def test_unsupported_claims_and_unsourced_values_left_out():
    cost = [CostItem("Fees", "fees", 100_000)]
    r = roi(cost, [_benefit(value=Range.of(80_000), supported=False),
                   Benefit("No source", Range.of(1), Range.of(50_000), " ", COMPARISON)])  # fmt: skip
    assert r.total_benefits == 0 and r.roi_percent == -100
    assert [b.excluded_because for b in r.benefits] == [
        "unsupported or extreme claim",
        "no source for the standard value",
    ]


def test_extreme_and_unsupported_participant_claims_dropped():
    one = (Range.of(1.0), Range.of(1.0))
    claims = [Claim(f"P{i}", Range.of(v), *one, "my calendar") for i, v in enumerate([10, 12, 11, 13, 9, 500])]
    claims.append(Claim("P9", Range.of(12), *one, ""))
    a = adjust_claims(claims)
    assert a.n_claims == 7 and a.n_used == 5 and a.total == 55
    assert dict(a.dropped) == {"P5": "extreme value", "P9": "no basis given"}


def test_hourly_cost_reproduces_forsakringskassans_example():
    # Försäkringskassan's calculator "Beräkna kostnader för sjukfrånvaro", its worked example for an
    # annual income of 300,000 (holiday pay 12 %, contributions 31.4 %, overhead 20 %), per hour present:
    # wage 160, holiday pay 19, employer contributions 56, sum 235, overhead 32, total 267
    wage = 300_000 / 1880
    assert round(wage) == 160 and round(wage * 0.12) == 19
    assert round((wage * 1.12) * 0.3142) == 56 and round(wage * 0.20) == 32
    assert round(hourly_cost(300_000)) == 267
    assert_allclose(hourly_cost(300_000), wage * 1.12 * 1.3142 + wage * 0.20, rtol=1e-15)
    assert (DEFAULT_HOURS_PER_YEAR, DEFAULT_HOLIDAY_PAY, DEFAULT_EMPLOYER_CONTRIBUTIONS, DEFAULT_OVERHEAD) == (
        1880,
        0.12,
        0.3142,
        0.20,
    )


def test_fully_loaded_time_cost():
    rate = hourly_cost(600_000, overhead=0.10)
    assert_allclose(rate, 600_000 / 1880 * (1.12 * 1.3142 + 0.10), rtol=1e-15)
    item = time_cost("Participants' time", people=12, hours=24, annual_salary=600_000, overhead=0.10)
    assert item.category == "participant_time" and item.amount == pytest.approx(12 * 24 * rate)
    assert "31.42 %" in item.basis and "overhead 10 %" in item.basis and "holiday pay 12 %" in item.basis
    manager = time_cost("Managers' time", people=2, hours=6, annual_salary=720_000, category="manager_time")
    assert manager.amount == pytest.approx(2 * 6 * hourly_cost(720_000))
    with pytest.raises(ValueError, match="must not be negative"):
        hourly_cost(500_000, overhead=-0.1)


def test_simulation_is_seeded_and_covers_the_ranges():
    b = _benefit(quantity=Range(50, 150), value=Range.of(1_000))
    cost = [CostItem("Fees", "fees", 100_000)]
    r1, r2 = roi(cost, [b], seed=7), roi(cost, [b], seed=7)
    assert (r1.bcr_low, r1.bcr_high) == (r2.bcr_low, r2.bcr_high)
    # uniform 50-150 x 1,000 / 100,000: the 5th and 95th percentiles are 0.55 and 1.45
    assert_allclose([r1.bcr_low, r1.bcr_high], [0.55, 1.45], atol=0.01)
    assert_allclose([r1.roi_low, r1.roi_high], [-45, 45], atol=1)


def test_intangibles_listed_and_no_costs_explained():
    r = roi([], [_benefit()], intangibles=["Trust in managers (HME leadership)"])
    assert r.intangibles == ("Trust in managers (HME leadership)",)
    assert math.isnan(r.bcr) and r.reason == "no costs: a return cannot be computed without them"


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="low end must not exceed"):
        Range(2, 1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        Isolation("participant_estimate", Range.of(80), Range.of(0.7))
    with pytest.raises(ValueError, match="already isolated"):
        Isolation("comparison", Range.of(0.5))
    with pytest.raises(ValueError, match="cost category"):
        CostItem("Coffee", "snacks", 10)
    with pytest.raises(ValueError, match="non-negative"):
        CostItem("Refund", "fees", -10)


def test_claims_become_a_benefit_and_no_claims_no_benefit():
    claim = Claim("P01", Range(12_480, 18_720), Range.of(0.8), Range.of(0.7), "4-6 h a week, 48 weeks")
    b = claims_benefit("Time saved (participants' estimates)", adjust_claims([claim]), value_source="65 an hour")
    r = roi([CostItem("Coaching", "fees", 5_000)], [b])
    assert round(r.total_benefits) == 6989 and r.benefits[0].basis == "6,988.8 = 6,989"
    empty = claims_benefit("Nothing", adjust_claims([Claim("P02", Range.of(9_000), *(Range.of(1.0),) * 2, "")]),
                           value_source="x")  # fmt: skip
    assert (
        empty.quantity is None and roi([CostItem("Fees", "fees", 1)], [empty]).benefits[0].excluded_because == "no data"
    )


def test_results_serialise_to_json():
    import json

    r = roi([CostItem("Fees", "fees", 0.0)], [_benefit()], intangibles=["Trust"])
    d = json.loads(json.dumps(r.to_dict()))
    assert d["bcr"] is None and d["benefits"][0]["counted"] and d["costs"][0]["category"] == "fees"


def test_a_possible_worsening_counts_at_its_most_conservative():
    # the measured change's interval reaches below zero: -2 to 6 sick days a year avoided
    iso = Isolation("participant_estimate", Range(0.5, 0.8), Range(0.6, 0.9))
    b = _benefit(quantity=Range(-2, 6), value=Range(2_000, 3_000), isolation=iso)
    r = roi([CostItem("Fees", "fees", 10_000)], [b])
    assert r.total_benefits == pytest.approx(-2 * 3_000 * 0.8 * 0.9)  # the lowest the ranges allow
    assert r.benefits[0].value_high == pytest.approx(6 * 3_000 * 0.8 * 0.9)
    assert r.benefits[0].basis == "-2 x 3,000 x 80 % x 90 % = -4,320"
    with pytest.raises(ValueError, match="standard value must not be negative"):
        _benefit(value=Range(-1, 1))

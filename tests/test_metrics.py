"""Tests for pathways_sim.metrics: hand-worked examples, invariances, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways_sim.metrics import (
    AGE_BANDS,
    concentration_index,
    erreygers_index,
    gap,
    inequality_regression,
    life_expectancy,
    life_table,
    quantile_groups,
    relative_index_of_inequality,
    relative_index_of_inequality_phe,
    ridits,
    slope_index_of_inequality,
    sullivan_hle,
    weighted_group_means,
)

TOL = 1e-9


# ---------------------------------------------------------------------------
# Ridits, SII, RII
# ---------------------------------------------------------------------------


def test_ridits_equal_and_unequal_shares():
    np.testing.assert_allclose(ridits([1, 1, 1, 1, 1]), [0.1, 0.3, 0.5, 0.7, 0.9], atol=TOL)
    # p = .2, .3, .5 -> .1, .2 + .15 = .35, .5 + .25 = .75 ; counts are normalised.
    np.testing.assert_allclose(ridits([20, 30, 50]), [0.1, 0.35, 0.75], atol=TOL)


def test_sii_known_linear_gradient_equal_shares():
    # Values 10,12,14,16,18 sit exactly on a line through the ridits
    # .1,.3,.5,.7,.9: each step of 0.2 in x adds 2, so the slope is 2/0.2 = 10
    # and the line is y = 9 + 10 x: yhat(0) = 9, yhat(1) = 19.
    values = [10, 12, 14, 16, 18]
    shares = [0.2] * 5
    assert slope_index_of_inequality(values, shares) == pytest.approx(10.0, abs=TOL)
    intercept, slope = inequality_regression(values, shares)
    assert intercept == pytest.approx(9.0, abs=TOL)
    assert slope == pytest.approx(10.0, abs=TOL)
    # RII (ratio of fitted extremes) = yhat(1)/yhat(0) = 19/9.
    assert relative_index_of_inequality(values, shares) == pytest.approx(19 / 9, abs=TOL)
    # PHE variant = SII / weighted mean = 10 / 14.
    assert relative_index_of_inequality_phe(values, shares) == pytest.approx(10 / 14, abs=TOL)


def test_sii_doubled_gradient_gives_20():
    # 8,12,16,20,24: step 4 per 0.2 of ridit -> slope 20, yhat(0) = 8 - 0.1*20 = 6.
    intercept, slope = inequality_regression([8, 12, 16, 20, 24], [1] * 5)
    assert slope == pytest.approx(20.0, abs=TOL)
    assert intercept == pytest.approx(6.0, abs=TOL)


def test_sii_unequal_shares_hand_computed():
    # p = (.2, .3, .5), y = (70, 75, 80), ridits x = (.1, .35, .75).
    # xbar = .02 + .105 + .375 = .5 ; ybar = 14 + 22.5 + 40 = 76.5
    # Sxy = .2(-.4)(-6.5) + .3(-.15)(-1.5) + .5(.25)(3.5)
    #     = .52 + .0675 + .4375 = 1.025
    # Sxx = .2(.16) + .3(.0225) + .5(.0625) = .032 + .00675 + .03125 = .07
    # slope = 1.025/.07 = 205/14 = 14.642857...
    # intercept = 76.5 - .5 * 205/14 = 1937/28 = 69.178571...
    # yhat(1) = 1937/28 + 410/28 = 2347/28 ; RII = 2347/1937
    # RII_phe = (205/14)/76.5 = 205/1071
    values = [70, 75, 80]
    shares = [2, 3, 5]  # counts: normalised to .2, .3, .5
    intercept, slope = inequality_regression(values, shares)
    assert slope == pytest.approx(205 / 14, abs=TOL)
    assert intercept == pytest.approx(1937 / 28, abs=TOL)
    assert slope_index_of_inequality(values, shares) == pytest.approx(205 / 14, abs=TOL)
    assert relative_index_of_inequality(values, shares) == pytest.approx(2347 / 1937, abs=TOL)
    assert relative_index_of_inequality_phe(values, shares) == pytest.approx(205 / 1071, abs=TOL)


def test_sii_sign_follows_ordering():
    # Mortality higher in the most deprived group -> negative SII, RII < 1.
    assert slope_index_of_inequality([30, 20, 10], [1, 1, 1]) < 0
    assert relative_index_of_inequality([30, 20, 10], [1, 1, 1]) < 1


def test_sii_zero_share_group_is_ignored():
    # A group with zero share has zero weight and zero width on the ridit scale.
    with_empty = slope_index_of_inequality([70, 999, 75, 80], [2, 0, 3, 5])
    assert with_empty == pytest.approx(205 / 14, abs=TOL)


def test_rii_undefined_when_intercept_zero():
    # y = 10 x on ridits .25, .75 -> yhat(0) = 0.
    with pytest.raises(ValueError, match=r"yhat\(0\)"):
        relative_index_of_inequality([2.5, 7.5], [1, 1])


def test_gap():
    assert gap([70.5, 72, 80.25]) == pytest.approx(9.75)
    with pytest.raises(ValueError, match="values"):
        gap([1.0])


# ---------------------------------------------------------------------------
# Concentration and Erreygers indices
# ---------------------------------------------------------------------------


def test_concentration_index_hand_example():
    # 4 people ranked by income 10 < 20 < 30 < 40, outcome h = 1,2,3,4.
    # Fractional ranks R = .125, .375, .625, .875 ; mu = 2.5 ; Rbar = .5
    # cov = [(-1.5)(-.375) + (-.5)(-.125) + (.5)(.125) + (1.5)(.375)] / 4
    #     = (.5625 + .0625 + .0625 + .5625) / 4 = .3125
    # C = 2 * .3125 / 2.5 = 0.25
    # Cross-check: C = 2/(n mu) sum h_i R_i - 1 = 0.2 * 6.25 - 1 = 0.25
    assert concentration_index([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(0.25, abs=TOL)
    # Rows in any order: same answer.
    assert concentration_index([3, 1, 4, 2], [30, 10, 40, 20]) == pytest.approx(0.25, abs=TOL)


def test_concentration_index_negative_when_concentrated_among_poor():
    # Mirror image of the example above: C = -0.25.
    assert concentration_index([4, 3, 2, 1], [10, 20, 30, 40]) == pytest.approx(-0.25, abs=TOL)
    assert concentration_index([1, 1, 0, 0, 0], [1, 2, 3, 4, 5]) < 0


def test_concentration_index_zero_when_outcome_equal():
    assert concentration_index([3.0] * 6, [5, 1, 4, 2, 2, 9]) == pytest.approx(0.0, abs=TOL)


def test_concentration_index_zero_when_everyone_tied_on_rank():
    # All tied: everyone's rank is the tie-group midpoint 0.5, cov = 0.
    assert concentration_index([1, 5, 2, 8], [7, 7, 7, 7]) == pytest.approx(0.0, abs=TOL)


def test_concentration_and_erreygers_weighted_hand_example():
    # h = (0, 1, 1), incomes 1 < 2 < 3, weights (1, 1, 2), W = 4.
    # R = (.5/4, (1 + .5)/4, (2 + 1)/4) = (.125, .375, .75) ; Rbar = (.125 + .375 + 1.5)/4 = .5
    # mu = (0 + 1 + 2)/4 = .75
    # cov = [1(-.75)(-.375) + 1(.25)(-.125) + 2(.25)(.25)] / 4 = (.28125 - .03125 + .125)/4 = .09375
    # C = 2 * .09375 / .75 = 0.25 ; E = 4 * .75 * .25 / (1 - 0) = 0.75
    h, inc, w = [0, 1, 1], [1, 2, 3], [1, 1, 2]
    assert concentration_index(h, inc, w) == pytest.approx(0.25, abs=TOL)
    assert erreygers_index(h, inc, 0, 1, w) == pytest.approx(0.75, abs=TOL)
    # Same population with the weight-2 person written as two tied people:
    # the tie group occupies [.5, 1] and both get its midpoint .75 -> same indices.
    assert concentration_index([0, 1, 1, 1], [1, 2, 3, 3]) == pytest.approx(0.25, abs=TOL)
    assert erreygers_index([0, 1, 1, 1], [1, 2, 3, 3], 0, 1) == pytest.approx(0.75, abs=TOL)


def test_erreygers_hand_example_and_bounds_scaling():
    # Unweighted 4-person example: mu = 2.5, C = .25 ; bounds [0, 5]:
    # E = 4 * 2.5 * .25 / 5 = 0.5 (equivalently 8 cov/(b-a) = 8*.3125/5).
    assert erreygers_index([1, 2, 3, 4], [10, 20, 30, 40], 0, 5) == pytest.approx(0.5, abs=TOL)
    # Bounds [0, 10] halve it.
    assert erreygers_index([1, 2, 3, 4], [10, 20, 30, 40], 0, 10) == pytest.approx(0.25, abs=TOL)


def test_erreygers_mirror_property_for_binary_outcome():
    rng = np.random.default_rng(1)
    ill = rng.integers(0, 2, 50)
    income = rng.normal(size=50)
    e_ill = erreygers_index(ill, income, 0, 1)
    e_healthy = erreygers_index(1 - ill, income, 0, 1)
    assert e_ill == pytest.approx(-e_healthy, abs=TOL)


def test_erreygers_defined_when_mean_is_zero():
    # All zeros: C undefined, E = 0.
    assert erreygers_index([0, 0, 0], [1, 2, 3], 0, 1) == pytest.approx(0.0, abs=TOL)
    with pytest.raises(ValueError, match="outcome"):
        concentration_index([0, 0, 0], [1, 2, 3])


# ---------------------------------------------------------------------------
# Row-order invariance (property tests)
# ---------------------------------------------------------------------------


@st.composite
def _individual_data(draw):
    n = draw(st.integers(min_value=1, max_value=30))
    # Small integer ranks force plenty of ties.
    rank_by = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    outcome = draw(
        st.lists(st.floats(0.0, 10.0, allow_nan=False, allow_infinity=False), min_size=n, max_size=n)
    )
    outcome[0] = max(outcome[0], 0.5)  # keeps the mean positive
    weights = draw(
        st.lists(st.floats(0.1, 5.0, allow_nan=False, allow_infinity=False), min_size=n, max_size=n)
    )
    perm = draw(st.permutations(range(n)))
    return (
        np.array(outcome),
        np.array(rank_by, dtype=float),
        np.array(weights),
        np.array(perm, dtype=int),
    )


@settings(max_examples=150, deadline=None)
@given(_individual_data())
def test_rank_indices_invariant_to_row_order(data):
    h, r, w, perm = data
    c = concentration_index(h, r, w)
    assert concentration_index(h[perm], r[perm], w[perm]) == pytest.approx(c, rel=1e-9, abs=1e-12)
    e = erreygers_index(h, r, 0, 10, w)
    assert erreygers_index(h[perm], r[perm], 0, 10, w[perm]) == pytest.approx(e, rel=1e-9, abs=1e-12)
    # Bounds from the literature: |E| <= 1 for outcomes within [lower, upper].
    assert -1 - 1e-12 <= e <= 1 + 1e-12


@settings(max_examples=150, deadline=None)
@given(_individual_data(), st.integers(1, 7))
def test_grouping_invariant_to_row_order(data, n_groups):
    h, r, w, perm = data
    q = quantile_groups(r, n_groups, w)
    assert q.dtype == np.int8
    # Exactly order independent: each row keeps its group when rows are shuffled.
    np.testing.assert_array_equal(quantile_groups(r[perm], n_groups, w[perm]), q[perm])
    # Equal values always share a group; groups are monotone in the value.
    for v in np.unique(r):
        assert len(np.unique(q[r == v])) == 1
    order = np.argsort(r, kind="stable")
    assert np.all(np.diff(q[order]) >= 0)
    assert q.min() >= 1 and q.max() <= n_groups

    means = weighted_group_means(h, q, n_groups, w)
    means_perm = weighted_group_means(h[perm], q[perm], n_groups, w[perm])
    np.testing.assert_allclose(means_perm, means, rtol=1e-12, atol=1e-12, equal_nan=True)


# ---------------------------------------------------------------------------
# Grouping helpers
# ---------------------------------------------------------------------------


def test_weighted_group_means_hand_example():
    values = [1.0, 3.0, 10.0, 0.0, 1.0]
    groups = [1, 1, 2, 4, 4]
    # g1: (1 + 3)/2 = 2 ; g2: 10 ; g3: empty -> nan ; g4: (0 + 1)/2 = .5
    np.testing.assert_allclose(
        weighted_group_means(values, groups, 4), [2.0, 10.0, np.nan, 0.5], equal_nan=True
    )
    # Weighted: g1 = (1*1 + 3*3)/(1 + 3) = 2.5 ; g4 = (0*1 + 1*4)/5 = .8
    np.testing.assert_allclose(
        weighted_group_means(values, groups, 4, weights=[1, 3, 2, 1, 4]),
        [2.5, 10.0, np.nan, 0.8],
        equal_nan=True,
    )


def test_quantile_groups_equal_and_weighted():
    # 10 distinct values, quintiles: ranks .05, .15, ..., .95 -> 1,1,2,2,...,5,5
    vals = np.array([9, 3, 1, 7, 5, 2, 10, 4, 8, 6], dtype=float)
    expected = np.ceil(vals / 2).astype(np.int8)
    np.testing.assert_array_equal(quantile_groups(vals, 5), expected)
    # Weighted: values 1..4 with weights 3,1,1,3 (W = 8); midpoint ranks
    # 1.5/8, 3.5/8, 4.5/8, 6.5/8 = .1875, .4375, .5625, .8125 -> halves 1,1,2,2
    np.testing.assert_array_equal(quantile_groups([1, 2, 3, 4], 2, [3, 1, 1, 3]), [1, 1, 2, 2])
    # Ties: the four 1s occupy ranks [0, .4] and all get the midpoint .2, so all
    # fall in group floor(.2 * 5) + 1 = 2 (group 1 is left empty: equal values are
    # never split). Values 2..7 get .45, .55, .65, .75, .85, .95 -> 3, 3, 4, 4, 5, 5.
    np.testing.assert_array_equal(
        quantile_groups([1, 1, 1, 1, 2, 3, 4, 5, 6, 7], 5), [2, 2, 2, 2, 3, 3, 4, 4, 5, 5]
    )


# ---------------------------------------------------------------------------
# Life tables and Sullivan health expectancy
# ---------------------------------------------------------------------------


def test_age_bands():
    assert AGE_BANDS[0] == 0 and AGE_BANDS[1] == 1 and AGE_BANDS[-1] == 90
    np.testing.assert_array_equal(np.diff(AGE_BANDS[1:]), [4] + [5] * 17)
    assert len(AGE_BANDS) == 20


def test_life_table_and_sullivan_worked_by_hand():
    # Bands [0,10), [10,20), 20+ ; D = (10, 40, 50), PY = (1000, 2000, 500).
    # Band 0: m = .01, n = 10, a = 5: q = .1/(1 + 5*.01) = .1/1.05 = 2/21
    #   l0 = 100000, d0 = 200000/21, l1 = 1900000/21
    #   L0 = 10*l1 + 5*d0 = (19e6 + 1e6)/21 = 20e6/21 = 220e6/231
    # Band 1: m = .02: q = .2/(1 + .1) = 2/11
    #   d1 = l1*2/11 = 3.8e6/231, l2 = l1*9/11 = 17.1e6/231
    #   L1 = 10*l2 + 5*d1 = (171e6 + 19e6)/231 = 190e6/231
    # Band 2 (open): m = .1, q = 1, d2 = l2, a = 1/m = 10, L2 = l2/m = 171e6/231
    # T2 = 171e6/231, T1 = 361e6/231, T0 = 581e6/231
    # e0 = T0/l0 = 5810/231 = 830/33 = 25.1515...
    # e1 = (361e6/231)/(1.9e6/21) = 190/11 ; e2 = 10
    table = life_table([10, 40, 50], [1000, 2000, 500], band_starts=[0, 10, 20])
    assert list(table.columns) == [
        "age_start", "width", "deaths", "person_years", "mx", "ax",
        "qx", "lx", "dx", "Lx", "Tx", "ex",
    ]  # fmt: skip
    np.testing.assert_array_equal(table["width"], [10, 10, np.inf])
    np.testing.assert_allclose(table["mx"], [0.01, 0.02, 0.1], rtol=TOL)
    np.testing.assert_allclose(table["ax"], [5, 5, 10], rtol=TOL)
    np.testing.assert_allclose(table["qx"], [2 / 21, 2 / 11, 1.0], rtol=TOL)
    np.testing.assert_allclose(table["lx"], [1e5, 1.9e6 / 21, 17.1e6 / 231], rtol=TOL)
    np.testing.assert_allclose(table["dx"], [2e5 / 21, 3.8e6 / 231, 17.1e6 / 231], rtol=TOL)
    np.testing.assert_allclose(table["Lx"], [220e6 / 231, 190e6 / 231, 171e6 / 231], rtol=TOL)
    np.testing.assert_allclose(table["Tx"], [581e6 / 231, 361e6 / 231, 171e6 / 231], rtol=TOL)
    np.testing.assert_allclose(table["ex"], [830 / 33, 190 / 11, 10.0], rtol=TOL)
    assert life_expectancy(table) == pytest.approx(830 / 33, abs=TOL)
    assert life_expectancy(table, 1) == pytest.approx(190 / 11, abs=TOL)

    # Sullivan with unhealthy prevalence (.1, .2, .5), in units of 1e6/231:
    # healthy years = .9*220 + .8*190 + .5*171 = 198 + 152 + 85.5 = 435.5
    # HLE0 = 435.5e6/231 / 1e5 = 4355/231 = 18.852813...
    # HLE1 = (152 + 85.5)e6/231 / (20.9e6/231) = 237.5/20.9 = 125/11
    # HLE2 = .5 * 10 = 5
    prev = [0.1, 0.2, 0.5]
    assert sullivan_hle(table, prev) == pytest.approx(4355 / 231, abs=TOL)
    assert sullivan_hle(table, prev, from_age_index=1) == pytest.approx(125 / 11, abs=TOL)
    assert sullivan_hle(table, prev, from_age_index=2) == pytest.approx(5.0, abs=TOL)
    # No morbidity: HLE = LE ; all unhealthy: HLE = 0.
    assert sullivan_hle(table, [0, 0, 0]) == pytest.approx(830 / 33, abs=TOL)
    assert sullivan_hle(table, [1, 1, 1]) == pytest.approx(0.0, abs=TOL)


def test_life_table_open_band_only_e_is_one_over_m():
    table = life_table([3], [120], band_starts=[0])  # m = .025
    assert table["width"].iloc[0] == np.inf
    assert life_expectancy(table) == pytest.approx(40.0, abs=TOL)


@pytest.mark.parametrize("band_starts", [[0, 50], [0, 1, 5, 30], list(AGE_BANDS)])
def test_life_table_constant_rate_gives_e_equal_one_over_m(band_starts):
    # Chiang's q makes d_x / L_x = m_x in every band, so with a constant rate
    # m, T_x = sum d_i / m = l_x / m and e_x = 1/m at every age, whatever the
    # band widths and a_x (including a0 for the infant band).
    m = 0.02
    py = np.linspace(1000, 3000, len(band_starts))
    table = life_table(m * py, py, band_starts=band_starts)
    np.testing.assert_allclose(table["ex"], 1 / m, rtol=TOL)
    np.testing.assert_allclose(table["dx"] / table["Lx"], m, rtol=TOL)
    # By hand for [0, 50]: q = 50*.02/(1 + 25*.02) = 2/3, L0 = 50*l0/3 + 25*2*l0/3 = 50 l0/3,
    # L1 = (l0/3)/.02 = 50 l0/3 -> e0 = 100/3 + 50/3 = 50.
    if band_starts == [0, 50]:
        np.testing.assert_allclose(table["qx"], [2 / 3, 1.0], rtol=TOL)


def test_life_table_infant_a0_and_empty_closed_band():
    # Infant band [0,1) uses a0; the empty [1,5) band gets m = 0, q = 0.
    table = life_table([5, 0, 20], [1000, 0, 2000], band_starts=[0, 1, 5], a0=0.1)
    m0 = 0.005
    q0 = m0 / (1 + 0.9 * m0)
    assert table["ax"].iloc[0] == pytest.approx(0.1)
    assert table["qx"].iloc[0] == pytest.approx(q0, rel=TOL)
    l1 = 1e5 * (1 - q0)
    assert table["Lx"].iloc[0] == pytest.approx(l1 + 0.1 * 1e5 * q0, rel=TOL)
    assert table["mx"].iloc[1] == 0 and table["qx"].iloc[1] == 0
    assert table["Lx"].iloc[1] == pytest.approx(4 * l1, rel=TOL)
    assert table["lx"].iloc[2] == pytest.approx(l1, rel=TOL)


def test_life_table_q_capped_at_one():
    # m = 1 in a 5-year band: Chiang q = 5/(1 + 2.5) > 1 -> capped at 1.
    table = life_table([5, 10, 1], [5, 10, 1], band_starts=[0, 5, 10])
    assert table["qx"].iloc[0] == 1.0
    assert table["lx"].iloc[1] == 0.0
    assert life_expectancy(table) == pytest.approx(2.5)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_bad_input_inequality_measures():
    with pytest.raises(ValueError, match="same length"):
        slope_index_of_inequality([1, 2, 3], [1, 1])
    with pytest.raises(ValueError, match=r"shares.*non-negative"):
        slope_index_of_inequality([1, 2, 3], [1, -1, 1])
    with pytest.raises(ValueError, match=r"shares.*sum"):
        ridits([0, 0, 0])
    with pytest.raises(ValueError, match=r"values.*NaN"):
        slope_index_of_inequality([1, np.nan, 3], [1, 1, 1])
    with pytest.raises(ValueError, match=r"shares.*NaN"):
        relative_index_of_inequality([1, 2, 3], [1, np.nan, 1])
    with pytest.raises(ValueError, match=r"shares.*two groups"):
        slope_index_of_inequality([1, 2, 3], [0, 5, 0])


def test_bad_input_rank_indices():
    with pytest.raises(ValueError, match="same length"):
        concentration_index([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match=r"outcome.*NaN"):
        concentration_index([1, np.nan], [1, 2])
    with pytest.raises(ValueError, match=r"rank_by.*NaN"):
        concentration_index([1, 2], [1, np.nan])
    with pytest.raises(ValueError, match=r"weights.*non-negative"):
        concentration_index([1, 2], [1, 2], weights=[1, -1])
    with pytest.raises(ValueError, match=r"weights.*length"):
        concentration_index([1, 2], [1, 2], weights=[1, 1, 1])
    with pytest.raises(ValueError, match="lower must be less than upper"):
        erreygers_index([0, 1], [1, 2], 1, 1)
    with pytest.raises(ValueError, match=r"outcome.*\[lower, upper\]"):
        erreygers_index([0, 2], [1, 2], 0, 1)


def test_bad_input_grouping():
    with pytest.raises(ValueError, match="groups"):
        weighted_group_means([1, 2], [1, 3], 2)
    with pytest.raises(ValueError, match="groups"):
        weighted_group_means([1, 2], [1, 1.5], 2)
    with pytest.raises(ValueError, match="same length"):
        weighted_group_means([1, 2, 3], [1, 2], 2)
    with pytest.raises(ValueError, match=r"values.*NaN"):
        weighted_group_means([1, np.nan], [1, 2], 2)
    with pytest.raises(ValueError, match="n_groups"):
        quantile_groups([1, 2, 3], 0)
    with pytest.raises(ValueError, match="n_groups"):
        quantile_groups([1, 2, 3], 128)
    with pytest.raises(ValueError, match=r"values.*NaN"):
        quantile_groups([1, np.nan], 2)


def test_bad_input_life_table():
    with pytest.raises(ValueError, match=r"person_years.*open"):
        life_table([1, 2], [10, 0], band_starts=[0, 10])
    with pytest.raises(ValueError, match=r"deaths.*open"):
        life_table([1, 0], [10, 5], band_starts=[0, 10])
    with pytest.raises(ValueError, match=r"deaths.*non-negative"):
        life_table([-1, 2], [10, 5], band_starts=[0, 10])
    with pytest.raises(ValueError, match=r"person_years.*non-negative"):
        life_table([1, 2], [-10, 5], band_starts=[0, 10])
    with pytest.raises(ValueError, match="deaths must be 0 where person_years is 0"):
        life_table([1, 2], [0, 5], band_starts=[0, 10])
    with pytest.raises(ValueError, match="same length"):
        life_table([1, 2], [10, 5])  # default AGE_BANDS has 20 bands
    with pytest.raises(ValueError, match="band_starts"):
        life_table([1, 2], [10, 5], band_starts=[10, 0])
    with pytest.raises(ValueError, match="a0"):
        life_table([1, 2], [10, 5], band_starts=[0, 1], a0=1.5)
    with pytest.raises(ValueError, match=r"person_years.*NaN"):
        life_table([1, 2], [np.nan, 5], band_starts=[0, 10])


def test_bad_input_sullivan():
    table = life_table([10, 40, 50], [1000, 2000, 500], band_starts=[0, 10, 20])
    with pytest.raises(ValueError, match=r"unhealthy_prevalence.*\[0, 1\]"):
        sullivan_hle(table, [0.1, 1.2, 0.5])
    with pytest.raises(ValueError, match=r"unhealthy_prevalence.*one value per"):
        sullivan_hle(table, [0.1, 0.2])
    with pytest.raises(ValueError, match=r"unhealthy_prevalence.*NaN"):
        sullivan_hle(table, [0.1, np.nan, 0.2])
    with pytest.raises(ValueError, match="from_age_index"):
        sullivan_hle(table, [0.1, 0.2, 0.3], from_age_index=3)
    with pytest.raises(ValueError, match="from_age_index"):
        life_expectancy(table, -1)
    with pytest.raises(ValueError, match="table"):
        life_expectancy(pd.DataFrame({"x": [1]}))
    dead = life_table([5, 10, 1], [5, 10, 1], band_starts=[0, 5, 10])  # l = 0 from age 5
    with pytest.raises(ValueError, match="l_x = 0"):
        life_expectancy(dead, 1)
    assert math.isnan(dead["ex"].iloc[1])


def test_batched_expectancies_match_one_table_per_group():
    from pathways_sim.metrics.life_tables import expectancies_at_birth
    from pathways_sim.results.collector import life_and_health_expectancy

    rng = np.random.default_rng(4)
    from pathways_sim.metrics import AGE_BANDS

    bands = AGE_BANDS.size
    py = rng.uniform(0, 400, size=(40, bands))
    py[rng.random((40, bands)) < 0.15] = 0  # empty bands, including empty top bands
    deaths = np.where(py > 0, rng.poisson(py * np.linspace(0.001, 0.3, bands)), 0).astype(float)
    deaths[3] = 0  # a group with no deaths at all: not estimable
    unhealthy = py * rng.uniform(0, 0.6, size=py.shape)
    le, hle = expectancies_at_birth(deaths, py, unhealthy)
    for g in range(40):
        one = life_and_health_expectancy(deaths[g], py[g], unhealthy[g])
        np.testing.assert_allclose([le[g], hle[g]], one, rtol=1e-10, equal_nan=True)
    assert np.isnan(le[3]) and np.isnan(hle[3])

"""The finding logic: a direction is reproduced only when every difference exceeds the spread."""
import math

import pandas as pd

from synclr_lib.studies.verdicts import (NOT_MEASURED, NOT_REPRODUCED, REPRODUCED, Spread, direction_verdict,
                                        flat_finding, ordering_finding, seed_spread, spread_from_summary,
                                        summary_counts, trend_finding)

SPREAD = Spread(2.0, 3, "SynCLR seed spread")


def test_reproduced_only_when_every_difference_exceeds_the_spread():
    f = ordering_finding("Table 5", "a > b > c", {"a": 10.0, "b": 7.5, "c": 5.0}, ["a", "b", "c"], SPREAD)
    assert f.verdict == REPRODUCED
    f = ordering_finding("Table 5", "a > b > c", {"a": 10.0, "b": 7.5, "c": 6.0}, ["a", "b", "c"], SPREAD)
    assert f.verdict == NOT_REPRODUCED and "within the spread" in f.detail


def test_difference_equal_to_the_spread_is_not_enough():
    assert direction_verdict([2.0], SPREAD)[0] == NOT_REPRODUCED
    assert direction_verdict([2.01], SPREAD)[0] == REPRODUCED


def test_opposite_direction_is_named():
    f = ordering_finding("Table 4", "a > b", {"a": 1.0, "b": 9.0}, ["a", "b"], SPREAD)
    assert f.verdict == NOT_REPRODUCED and "opposite direction" in f.detail


def test_spread_from_fewer_than_three_seeds_never_reproduces():
    two = Spread(0.5, 2, "SynCLR seed spread")
    f = ordering_finding("Table 5", "a > b", {"a": 50.0, "b": 10.0}, ["a", "b"], two)
    assert f.verdict == NOT_REPRODUCED and "fewer than 3" in f.detail


def test_no_spread_or_missing_value():
    assert ordering_finding("T", "a > b", {"a": 5.0, "b": 1.0}, ["a", "b"], None).verdict == NOT_REPRODUCED
    f = ordering_finding("T", "a > b", {"a": 5.0, "b": float("nan")}, ["a", "b"], SPREAD)
    assert f.verdict == NOT_MEASURED and "b" in f.detail
    assert ordering_finding("T", "a > b", {}, ["a", "b"], SPREAD).verdict == NOT_MEASURED


def test_line_carries_numbers_and_paper():
    f = ordering_finding("Table 10", "SynCLR beats CLIP", {"SynCLR": 12.34, "CLIP": 8.0}, ["SynCLR", "CLIP"],
                         SPREAD, paper="SynCLR 89.0 vs CLIP 87.7")
    line = f.line()
    assert line.startswith("**reproduced**") and "12.3" in line and "+4.3" in line and "87.7" in line


def test_trend_finding_reads_the_intervals(paired_scores):
    from synclr_lib.images.cfg_study import trend_table

    falling = trend_table(paired_scores({1.0: 0.0, 2.0: -1.0, 4.0: -1.5, 8.0: -1.5}, column="diversity"),
                          measures=("diversity",))
    f = trend_finding("Table 3", "diversity falls", falling, "diversity", rising=False)
    assert f.verdict == REPRODUCED and "4->8" in f.detail  # the flat last step is named as noise
    assert trend_finding("Table 3", "diversity rises", falling, "diversity", rising=True).verdict == NOT_REPRODUCED
    back = trend_table(paired_scores({1.0: 0.0, 2.0: 2.0, 4.0: 1.0}, column="diversity"), measures=("diversity",))
    f = trend_finding("Table 3", "rises", back, "diversity", rising=True)
    assert f.verdict == NOT_REPRODUCED and "other way" in f.detail
    assert trend_finding("Table 3", "rises", falling, "fidelity_object", rising=True).verdict == NOT_MEASURED


def test_flat_finding_needs_the_range_within_a_usable_spread():
    assert flat_finding("T3", "flat", {"CFG 2": 10.0, "CFG 3": 11.5, "CFG 4": 10.4}, SPREAD).verdict == REPRODUCED
    wide = flat_finding("T3", "flat", {"CFG 2": 10.0, "CFG 3": 12.5}, SPREAD)
    assert wide.verdict == NOT_REPRODUCED and "range 2.5" in wide.detail
    assert flat_finding("T3", "flat", {"a": 1.0, "b": 1.0}, Spread(2.0, 2, "two seeds")).verdict == NOT_REPRODUCED
    assert flat_finding("T3", "flat", {"a": 1.0, "b": 1.0}, None).verdict == NOT_REPRODUCED
    assert flat_finding("T3", "flat", {"a": 1.0, "b": float("nan")}, SPREAD).verdict == NOT_MEASURED


def test_seed_spread_from_tables():
    seeds = pd.DataFrame({"encoder": ["SynCLR (seed 0)", "SynCLR (seed 1)", "SynCLR (seed 2)", "SimCLR (seed 0)"],
                          "objects": [10.0, 12.5, 11.0, 3.0], "fine-grained mean": [20.0, 21.0, 23.0, 1.0],
                          "method": ["SynCLR", "SynCLR", "SynCLR", "SimCLR"]})
    s = seed_spread(seeds)
    assert math.isclose(s["objects"].value, 2.5) and s["objects"].n == 3 and s["objects"].usable
    assert math.isclose(s["fine-grained mean"].value, 3.0)
    main = pd.DataFrame({"method": ["SynCLR"], "objects spread": [1.5], "fine-grained spread": [0.5], "seeds": [2]})
    s = spread_from_summary(main)
    assert s["objects"].value == 1.5 and not s["objects"].usable


def test_summary_counts():
    fs = [ordering_finding("T", "a > b", {"a": 9.0, "b": 1.0}, ["a", "b"], SPREAD),
          ordering_finding("T", "a > b", {"a": 1.0, "b": 9.0}, ["a", "b"], SPREAD),
          ordering_finding("T", "a > b", {}, ["a", "b"], SPREAD)]
    assert summary_counts(fs) == {REPRODUCED: 1, NOT_REPRODUCED: 1, NOT_MEASURED: 1}

import numpy as np
import pandas as pd
import pytest

from synclr_lib.stats import (FALLS, NO_TREND, NOT_MEASURED, RISES, paired_changes, steps_against, steps_within_noise,
                              trend_verdict)


def _verdict(scores):
    settings = sorted(scores["cfg_scale"].unique())
    overall = paired_changes(scores, "x", [(settings[0], settings[-1])]).iloc[0]
    return trend_verdict(paired_changes(scores, "x"), overall)


def test_paired_changes_match_a_hand_written_paired_mean(paired_scores):
    scores = paired_scores({1.0: 0.0, 2.0: -1.0, 4.0: -1.5})
    scores.loc[(scores.cfg_scale == 2.0) & (scores.caption_id == 3), "x"] = np.nan  # unscored at 2
    steps = paired_changes(scores, "x")
    wide = {s: dict(zip(g.caption_id, g.x)) for s, g in scores.groupby("cfg_scale")}
    for row, (a, b) in zip(steps.itertuples(), [(1.0, 2.0), (2.0, 4.0)]):
        diffs = [wide[b][c] - wide[a][c] for c in range(200) if not (np.isnan(wide[a][c]) or np.isnan(wide[b][c]))]
        assert len(diffs) == 199  # both steps touch setting 2, where item 3 is unscored
        assert row.items == len(diffs)
        assert row.change == pytest.approx(np.mean(diffs))
        assert row.low < row.change < row.high
    assert steps["from"].tolist() == [1.0, 2.0] and steps["to"].tolist() == [2.0, 4.0]


def test_trend_reads_real_steps_and_ignores_noise(paired_scores):
    scores = paired_scores({1.0: 0.0, 2.0: -1.0, 4.0: -1.5, 8.0: -1.5})
    steps = paired_changes(scores, "x")
    assert (steps["high"].iloc[:2] < 0).all()  # the two real falls are outside their intervals
    assert steps["low"].iloc[2] < 0 < steps["high"].iloc[2]  # the flat last step is noise
    assert steps_within_noise(steps).index.tolist() == [2]
    assert steps_against(steps, rising=True).index.tolist() == [0, 1] and steps_against(steps, rising=False).empty
    assert _verdict(scores) == FALLS
    assert _verdict(paired_scores({1.0: 0.0, 2.0: 1.0, 4.0: 2.0})) == RISES
    assert _verdict(paired_scores({1.0: 0.0, 2.0: 1.0, 4.0: 0.0})) == NO_TREND  # up, then back down
    assert _verdict(paired_scores({1.0: 0.0, 2.0: 2.0, 4.0: 1.0})) == NO_TREND  # up overall, one clear fall


def test_paired_changes_bad_input_and_nothing_to_compare(paired_scores):
    scores = paired_scores({1.0: 0.0, 2.0: 1.0}, n=5)
    with pytest.raises(ValueError, match="not in the scores"):
        paired_changes(scores, "x", [(1.0, 3.0)])
    with pytest.raises(ValueError, match="level"):
        paired_changes(scores, "x", level=1.5)
    scores["x"] = np.nan  # no item scored at both settings: NaN, not a guess
    row = paired_changes(scores, "x").iloc[0]
    assert row["items"] == 0 and np.isnan(row["change"])
    assert _verdict(scores) == NOT_MEASURED

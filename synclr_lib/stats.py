"""Is a change between two settings real? Paired bootstrap intervals over items, and the
rule that turns a sweep's intervals into "rises" / "falls".

Used where the same items (captions) are scored under every setting (CFG scales), so two
settings compare item by item:

    steps = paired_changes(scores, "diversity", x="cfg_scale", item="caption_id")
    verdict = trend_verdict(steps, overall)   # "falls" when it clearly falls, no step clearly rises

Introduced in notebooks/03_images_cfg.py (the CFG study); notebooks/08_report.py judges the
same tables with the same rule.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

RISES, FALLS, NO_TREND, NOT_MEASURED = "rises", "falls", "no clear trend", "not measured"


def paired_changes(scores: pd.DataFrame, column: str, pairs: list[tuple[float, float]] | None = None, *,
                   x: str = "cfg_scale", item: str = "caption_id", n_boot: int = 2000, level: float = 0.95,
                   seed: int = 0) -> pd.DataFrame:
    """Mean per-item change of `column` from setting a to setting b (long table: one row per
    (x, item)), with a percentile bootstrap interval over the items scored at both (NaN
    when there are none). pairs default: each step of the sorted settings.
    Columns: from, to, items, change, low, high."""
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    wide = scores.pivot(index=item, columns=x, values=column)
    settings = sorted(wide.columns)
    if pairs is None:
        pairs = list(zip(settings[:-1], settings[1:]))
    rng = np.random.default_rng(seed)
    tail = 100 * (1 - level) / 2
    rows = []
    for a, b in pairs:
        missing = [s for s in (a, b) if s not in wide.columns]
        if missing:
            raise ValueError(f"{x} {missing} not in the scores ({x}: {settings})")
        diff = (wide[b] - wide[a]).dropna().to_numpy()
        if len(diff) == 0:  # e.g. a smoke g1 whose captions name no object
            rows.append({"from": a, "to": b, "items": 0, "change": np.nan, "low": np.nan, "high": np.nan})
            continue
        boot = diff[rng.integers(0, len(diff), (n_boot, len(diff)))].mean(1)
        rows.append({"from": a, "to": b, "items": len(diff), "change": float(diff.mean()),
                     "low": float(np.percentile(boot, tail)), "high": float(np.percentile(boot, 100 - tail))})
    return pd.DataFrame(rows)


def steps_within_noise(steps: pd.DataFrame) -> pd.DataFrame:
    """The rows of `paired_changes` whose interval holds zero."""
    return steps[(steps["low"] <= 0) & (steps["high"] >= 0)]


def steps_against(steps: pd.DataFrame, rising: bool) -> pd.DataFrame:
    """The rows of `paired_changes` that go clearly against a rise (or a fall): their whole
    interval is on the other side of zero."""
    return steps[steps["high"] < 0] if rising else steps[steps["low"] > 0]


def trend_verdict(steps: pd.DataFrame, overall: pd.Series | dict) -> str:
    """RISES when the first-to-last change (`overall`: change, low, high) is above zero beyond
    its interval and no step falls beyond its own; FALLS likewise; a step whose interval
    holds zero is noise. NOT_MEASURED when the overall change has no interval."""
    low, high = float(overall["low"]), float(overall["high"])
    if not (np.isfinite(low) and np.isfinite(high)):
        return NOT_MEASURED
    if low > 0 and steps_against(steps, rising=True).empty:
        return RISES
    if high < 0 and steps_against(steps, rising=False).empty:
        return FALLS
    return NO_TREND

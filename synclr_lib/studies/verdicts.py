"""Paper findings, judged: does the paper's direction show up in the measured numbers, by
more than the noise? The one rule every study module, notebook and the REPORT applies.

A direction ("A beats B") counts as **reproduced** only when the measured difference A - B
exceeds a noise threshold: for accuracies, the seed-to-seed spread (max - min) of the main
SynCLR run repeated with at least `MIN_SEEDS` seeds (notebooks/04_training.py, tables
04_seeds_all / 04_main_comparison). Otherwise it is **not reproduced**, with the reason:
the difference is within the spread, points the other way, or the spread itself comes from
too few seeds. A finding whose numbers are absent is **not measured**. Trends over a sweep
(Table 3's fidelity and diversity against CFG) use a bootstrap interval over the paired
captions as their threshold instead (`trend_finding`, rule in `synclr_lib.stats`).

    spread = seed_spread(seeds_all)                    # {"objects": Spread, ...}
    f = ordering_finding("Table 5", "SynCLR > SupCE > SimCLR on the fine-grained mean",
                         {"SynCLR": 15.0, "SupCE": 11.0, "SimCLR": 9.0}, ["SynCLR", "SupCE", "SimCLR"],
                         spread["fine-grained mean"], paper="78.5 > 75.0 > 67.9")
    f.verdict   # "reproduced" when 15-11 and 11-9 both exceed the spread

Introduced in notebooks/04_training.py (the seed spread); the REPORT (notebooks/08_report.py)
lists every finding.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .. import stats

REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"
NOT_MEASURED = "not measured"
MIN_SEEDS = 3


@dataclass(frozen=True)
class Spread:
    """A noise threshold: `value` (same unit as the scores), from `n` repeats, described by `source`."""
    value: float
    n: int
    source: str
    min_n: int = MIN_SEEDS
    unit: str = "seed"  # what one of the n repeats is (seed, concept, item)

    @property
    def usable(self) -> bool:
        return self.n >= self.min_n and self.value is not None and math.isfinite(self.value)

    def describe(self) -> str:
        return f"{self.source} {self.value:.2f} from {self.n} {self.unit}{'s' if self.n != 1 else ''}"


@dataclass(frozen=True)
class Finding:
    section: str  # the paper's table or figure, e.g. "Table 5"
    claim: str  # the direction, e.g. "SynCLR > SupCE > SimCLR on the fine-grained mean"
    verdict: str  # reproduced | not reproduced | not measured
    detail: str  # the measured numbers and the threshold
    paper: str = ""  # the paper's numbers behind the claim
    short: str = ""  # the measured numbers in a few words, e.g. "+2.8 vs spread 1.0 (3 seeds)"

    def line(self) -> str:
        paper = f" Paper: {self.paper}." if self.paper else ""
        return f"**{self.verdict}** — {self.section}: {self.claim}. Measured: {self.detail}.{paper}"

    def short_line(self) -> str:
        """One short line for the README: verdict, claim and the numbers in a few words."""
        return f"**{self.verdict}** — {self.section}: {self.claim}" + (f" ({self.short})" if self.short else "")


def _finite(x) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def direction_verdict(diffs: list[float], spread: Spread | None) -> tuple[str, str]:
    """(verdict, reason) for a chain of differences that the claim says are all positive."""
    if not diffs or not all(_finite(d) for d in diffs):
        return NOT_MEASURED, "a measured value is missing"
    if spread is None or spread.value is None or not math.isfinite(spread.value):
        return NOT_REPRODUCED, "no seed spread was measured"
    if any(d < 0 and -d > spread.value for d in diffs):
        reason = "the opposite direction, by more than the spread"
    elif any(d <= spread.value for d in diffs):
        reason = "a difference within the spread"
    elif not spread.usable:
        return NOT_REPRODUCED, (f"direction holds but the spread comes from {spread.n} {spread.unit}(s), "
                                f"fewer than {spread.min_n}")
    else:
        return REPRODUCED, "every difference exceeds the spread"
    return NOT_REPRODUCED, reason


def ordering_finding(section: str, claim: str, values: dict, order: list[str], spread: Spread | None,
                     *, paper: str = "", fmt: str = ".1f") -> Finding:
    """The claim values[order[0]] > values[order[1]] > ...; each consecutive difference must
    exceed the spread."""
    missing = [k for k in order if not _finite(values.get(k))]
    if missing:
        return Finding(section, claim, NOT_MEASURED, f"no measured value for {', '.join(missing)}", paper)
    vals = [float(values[k]) for k in order]
    diffs = [a - b for a, b in zip(vals, vals[1:])]
    verdict, reason = direction_verdict(diffs, spread)
    chain = " vs ".join(f"{k} {v:{fmt}}" for k, v in zip(order, vals))
    gaps = ", ".join(f"{d:+{fmt}}" for d in diffs)
    noise = spread.describe() if spread is not None else "no spread"
    short = f"differences {gaps} vs threshold " + (f"{spread.value:{fmt}} from {spread.n} {spread.unit}(s)" if spread is not None else "none")
    return Finding(section, claim, verdict, f"{chain} (differences {gaps}; threshold: {noise}; {reason})", paper,
                   short)


def flat_finding(section: str, claim: str, values: dict, spread: Spread | None, *, paper: str = "",
                 fmt: str = ".1f") -> Finding:
    """The claim that values do not differ: reproduced when the range (max - min) is at most
    the spread, measured with enough repeats."""
    vals = {k: float(v) for k, v in values.items() if _finite(v)}
    if len(vals) < 2 or len(vals) < len(values):
        return Finding(section, claim, NOT_MEASURED, "fewer than two measured values", paper)
    width = max(vals.values()) - min(vals.values())
    listed = ", ".join(f"{k} {v:{fmt}}" for k, v in vals.items())
    if spread is None or not _finite(spread.value):
        verdict, reason = NOT_REPRODUCED, "no seed spread was measured"
    elif width > spread.value:
        verdict, reason = NOT_REPRODUCED, "the range exceeds the spread"
    elif not spread.usable:
        verdict, reason = NOT_REPRODUCED, f"the spread comes from {spread.n} {spread.unit}(s), fewer than {spread.min_n}"
    else:
        verdict, reason = REPRODUCED, "the range is within the spread"
    noise = spread.describe() if spread is not None else "no spread"
    return Finding(section, claim, verdict, f"{listed} (range {width:{fmt}}; threshold: {noise}; {reason})", paper,
                   f"range {width:{fmt}} vs threshold " + (f"{spread.value:{fmt}}" if spread is not None else "none"))


def trend_finding(section: str, claim: str, steps, measure: str, *, rising: bool, paper: str = "",
                  fmt: str = ".3f") -> Finding:
    """The claim that `measure` rises (or falls) over a sweep, from a trend table (columns
    measure, kind = step | overall, from, to, change, low, high: notebook 03's 03_cfg_steps).
    The noise is each change's bootstrap interval over the paired items; the rule is
    `synclr_lib.stats.trend_verdict`: the first-to-last change clear of zero and no step
    clearly the other way."""
    rows = steps[steps["measure"] == measure] if "measure" in getattr(steps, "columns", []) else None
    if rows is None or rows.empty or not (rows["kind"] == "overall").any():
        return Finding(section, claim, NOT_MEASURED, f"no {measure} rows in the trend table", paper)
    step_rows, overall = rows[rows["kind"] == "step"], rows[rows["kind"] == "overall"].iloc[0]
    trend = stats.trend_verdict(step_rows, overall)
    if trend == stats.NOT_MEASURED:
        return Finding(section, claim, NOT_MEASURED, f"no interval for the {measure} change", paper)
    wanted = stats.RISES if rising else stats.FALLS
    against = stats.steps_against(step_rows, rising)
    noise = stats.steps_within_noise(step_rows)

    def steps_text(r):
        return ", ".join(f"{a:g}->{b:g} {c:+{fmt}}" for a, b, c in zip(r["from"], r["to"], r["change"])) or "none"
    if trend == wanted:
        reason = "the first-to-last change is clear of zero and no step goes clearly the other way"
    elif not against.empty:
        reason = f"step(s) {steps_text(against)} go the other way beyond their interval"
    else:
        reason = "the first-to-last change is within its interval of zero"
    overall_text = (f"{overall['from']:g} -> {overall['to']:g}: {overall['change']:+{fmt}} "
                    f"[{overall['low']:{fmt}}, {overall['high']:{fmt}}]")
    return Finding(section, claim, REPRODUCED if trend == wanted else NOT_REPRODUCED,
                   f"{overall_text}; steps within noise: {steps_text(noise)} (threshold: 95 % bootstrap "
                   f"interval over paired captions; {reason})", paper,
                   f"{overall_text}, {len(noise)} of {len(step_rows)} steps within noise")


def seed_spread(seeds_all, method: str = "SynCLR", metrics=("objects", "fine-grained mean")) -> dict[str, Spread]:
    """{metric: Spread} from the per-seed table 04_seeds_all (rows of `method`)."""
    rows = seeds_all[seeds_all["method"] == method] if "method" in seeds_all else seeds_all.iloc[0:0]
    out = {}
    for m in metrics:
        vals = rows[m].dropna() if m in rows else rows.iloc[0:0]
        if len(vals):
            out[m] = Spread(float(vals.max() - vals.min()), int(len(vals)), f"{method} seed spread (max - min)")
    return out


def seed_spreads(t: dict) -> tuple[dict[str, Spread], str]:
    """({metric: Spread}, the table it came from) from the tables 04_seeds_all or
    04_main_comparison in `t` ({name: DataFrame or reporting.Missing}): the threshold every
    accuracy finding is judged against ({} when neither table exists)."""
    from ..reporting import Missing

    seeds_all, main = t.get("04_seeds_all"), t.get("04_main_comparison")
    if seeds_all is not None and not isinstance(seeds_all, Missing):
        s = seed_spread(seeds_all)
        if s:
            return s, "04_seeds_all"
    if main is not None and not isinstance(main, Missing):
        s = spread_from_summary(main)
        if s:
            return s, "04_main_comparison"
    return {}, ""


def spread_from_summary(main_comparison, method: str = "SynCLR") -> dict[str, Spread]:
    """{metric: Spread} from 04_main_comparison (its 'objects spread', 'fine-grained spread', 'seeds')."""
    rows = main_comparison[main_comparison["method"] == method]
    if rows.empty:
        return {}
    r = rows.iloc[0]
    n = int(r["seeds"])
    return {"objects": Spread(float(r["objects spread"]), n, f"{method} seed spread (max - min)"),
            "fine-grained mean": Spread(float(r["fine-grained spread"]), n, f"{method} seed spread (max - min)")}


def summary_counts(findings: list[Finding]) -> dict[str, int]:
    out = {REPRODUCED: 0, NOT_REPRODUCED: 0, NOT_MEASURED: 0}
    for f in findings:
        out[f.verdict] = out.get(f.verdict, 0) + 1
    return out

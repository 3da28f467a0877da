"""Table 2: which captions make the best synthetic training data. One SynCLR run at the
ablation budget on g2's images of each caption strategy (images/strategy_study.py draws
them; the mini-web's alt-text stands for the paper's real captions), its table beside the
paper's, and the findings (the final mix beats every other strategy; plausible backgrounds
beat random ones).

    runs = strategy_runs(cfg)                   # {strategy: overrides}, images drawn if needed
    t2 = table2(long_by_strategy, cfg.profile, image_scores=strategy_study_table(cfg))
    text, findings = section(t, spreads, cfg.profile)   # the REPORT's Table 2 section

Introduced in notebooks/05_evaluation.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..evaluate import paper_numbers as paper
from ..evaluate.suites import wide_table
from ..reporting import markdown
from .runs import synclr_on
from .sections import FG, OBJ, findings_block, measured_block, pick_column, row_values
from .verdicts import Finding, ordering_finding

TABLES = ("05_table2", "02_caption_stats")  # what its section reads


def caption_strategy_runs(cfg, strategy_dirs: dict) -> dict[str, list[str]]:
    """SynCLR at the ablation budget trained on each caption strategy's images,
    `strategy_dirs` = {strategy: synthetic-image directory} -> {strategy: overrides}."""
    return {s: synclr_on(d, cfg) for s, d in strategy_dirs.items()}


def strategy_runs(cfg, *, build: bool = True) -> dict[str, list[str]]:
    """{strategy: overrides} on the strategy study's image directories; build=False names
    the directories without drawing them (for cost listings)."""
    from ..images.strategy_study import strategy_study_dirs

    return caption_strategy_runs(cfg, strategy_study_dirs(cfg, build=build))


def table2(long_by_strategy: pd.DataFrame, profile: str = "", image_scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table 2 analogue: one SynCLR encoder per caption strategy (`encoder` = strategy name as in
    paper_numbers.TABLE2_STRATEGY), objects and fine-grained mean beside the paper's SynCLR and
    StableRep columns. `image_scores` (images.strategy_study_table: strategy, fidelity_object,
    ...) adds how often the judge sees the caption's object in each strategy's images."""
    rows = []
    wide = wide_table(long_by_strategy[long_by_strategy["probe"] != "kNN"], kinds=("objects", "fine_grained"))
    wide = wide.set_index("encoder")
    fidelity = ({} if image_scores is None else
                dict(zip(image_scores["strategy"], 100 * image_scores["fidelity_object"])))
    for strategy, paper_row in paper.TABLE2_STRATEGY.items():
        row = {"captions (paper)": paper_row, "strategy here": strategy}
        measured = wide.loc[strategy] if strategy in wide.index else None
        if image_scores is not None:
            row["images: judged object fidelity"] = fidelity.get(strategy, np.nan)
        row[f"objects ({profile or 'measured'})"] = measured["objects"] if measured is not None else np.nan
        row[f"{FG} ({profile or 'measured'})"] = measured[FG] if measured is not None else np.nan
        for method, (imagenet, fine) in paper.TABLE2[paper_row].items():
            row[f"paper {method} ImageNet"], row[f"paper {method} fine-grained"] = imagenet, fine
        rows.append(row)
    return pd.DataFrame(rows)


def findings(t: dict, spreads: dict) -> list[Finding]:
    """The final mix beats every other strategy; plausible backgrounds beat random ones."""
    tab = t["05_table2"]
    out = []
    strategies = list(paper.TABLE2_STRATEGY)
    for metric, prefix, paper_col in ((FG, "fine-grained mean (", 1), (OBJ, "objects (", 0)):
        col = pick_column(tab, prefix)
        vals = row_values(tab, "strategy here", col, strategies) if col else {}
        p = {s: paper.TABLE2[paper.TABLE2_STRATEGY[s]]["SynCLR"][paper_col] for s in strategies}
        others = {s: v for s, v in vals.items() if s != "mix" and v is not None}
        best_other = max(others, key=others.get) if others else "alt-text"
        out.append(ordering_finding(
            "Table 2", f"the final caption mix beats every other strategy on {metric} (closest: {best_other})",
            vals, ["mix", best_other], spreads.get(metric),
            paper="SynCLR " + ", ".join(f"{s} {v:.1f}" for s, v in p.items())))
        out.append(ordering_finding(
            "Table 2", f"plausible backgrounds (c_bg) beat random ones (c_bg_random) on {metric}",
            vals, ["c_bg", "c_bg_random"], spreads.get(metric),
            paper=f"SynCLR c_bg {p['c_bg']:.1f} vs c_bg_random {p['c_bg_random']:.1f}"))
    return out


def section(t: dict, spreads: dict) -> tuple[str, list[Finding]]:
    fs = findings(t, spreads)
    body = ["## Table 2: caption strategies", "",
            measured_block("05_table2", t["05_table2"]), "",
            "Caption-set statistics behind the strategies (notebook 02; the paper gives no such numbers):", "",
            markdown(t["02_caption_stats"], ".3f"), "", "Findings:", "", findings_block(fs)]
    return "\n".join(body), fs

"""Fig. 5: PCA of patch features. The paper's figure is qualitative; here the thresholded
first principal component of each encoder's patch features is scored against the
renderer's object patches (foreground IoU, notebook 06), and the finding is that SynCLR's
finds the object better than random init's and CLIP (web)'s, by more than two standard
errors of the per-concept difference.

    text, findings = section(t, reports)

Introduced in notebooks/06_pca_patches.py.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..reporting import Missing, figure_link, markdown
from .sections import findings_block
from .verdicts import NOT_MEASURED, Finding, Spread, ordering_finding

TABLES = ("06_foreground_iou",)
AGAINST = ("random init", "CLIP (web)")  # what SynCLR's first component should beat


def concept_spread(iou: pd.DataFrame, a: str, b: str) -> tuple[dict, Spread | None]:
    """({a: mean IoU, b: mean IoU}, two standard errors of the per-concept difference a - b)."""
    piv = iou.pivot_table(index="concept", columns="encoder", values="foreground IoU")
    if a not in piv or b not in piv:
        return {}, None
    d = (piv[a] - piv[b]).dropna()
    n = len(d)
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
    return ({a: float(piv[a].mean()), b: float(piv[b].mean())},
            Spread(2 * se, n, "two standard errors of the per-concept difference", unit="concept"))


def findings(t: dict) -> list[Finding]:
    iou = t["06_foreground_iou"]
    ptxt = "Fig. 5 (qualitative): SynCLR's first patch components separate the object from the background"
    if isinstance(iou, Missing):
        return [Finding("Fig. 5", "SynCLR's first PCA component finds the object", NOT_MEASURED, str(iou), ptxt)]
    synclr = next((e for e in iou["encoder"].unique() if str(e).startswith("SynCLR")), "SynCLR")
    out = []
    for other in AGAINST:
        vals, spread = concept_spread(iou, synclr, other)
        out.append(ordering_finding("Fig. 5", f"{synclr}'s first PCA component finds the object better "
                                    f"than {other}'s (mean foreground IoU over concepts)",
                                    vals, [synclr, other], spread, paper=ptxt))
    return out


def section(t: dict, reports: Path | None = None) -> tuple[str, list[Finding]]:
    iou = t["06_foreground_iou"]
    fs = findings(t)
    if isinstance(iou, Missing):
        summary, figs = iou, ""
    else:
        summary = iou.pivot_table(index="encoder", columns="concept", values="foreground IoU", sort=False)
        summary["mean"] = summary.mean(axis=1)
        summary = summary.reset_index()
        figs = "\n".join(figure_link(f"06_pca_{c.replace(' ', '_')}", reports, f"PCA {c}")
                         for c in iou["concept"].unique())
    body = ["## Fig. 5: PCA of patch features", "",
            "Foreground IoU of the thresholded first component against the renderer's object patches "
            "(`tables/06_foreground_iou.csv`); the paper's figure is qualitative.", "", markdown(summary), "",
            figs, "", "Findings:", "", findings_block(fs)]
    return "\n".join(body), fs

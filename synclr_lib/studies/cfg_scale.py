"""Table 3: the classifier-free guidance scale. The CFG study's images (images/cfg_study.py:
the same captions and noise at every scale) give fidelity and diversity per scale; one
SynCLR run at the ablation budget per Table 3 scale gives downstream accuracy. Findings:
fidelity rises and diversity falls with the scale (a bootstrap interval over the paired
captions is the noise), and downstream accuracy hardly moves (the seed spread is the noise).

    runs = cfg_runs(cfg)                              # {"CFG 2": overrides, ...}, images drawn if needed
    t3 = table3(evaluate_encoders(trained, cfg), table3_scales(cfg))
    for f in tradeoff_findings(steps): print(f.line())   # notebook 03 and the REPORT, one rule
    text, findings = section(t, spreads)

Introduced in notebooks/03_images_cfg.py.
"""
from __future__ import annotations

import pandas as pd

from ..evaluate import paper_numbers as paper
from ..reporting import Missing, markdown
from .runs import synclr_on
from .sections import OBJ, findings_block, measured_block, paper_block
from .verdicts import NOT_MEASURED, Finding, flat_finding, trend_finding

SCALES = (2.0, 3.0, 4.0)  # the paper's Table 3 columns
TABLES = ("03_cfg_fidelity_diversity", "03_cfg_steps", "03_table3")  # what its section reads
CLAIM_PAPER = "Sec. 3.2: higher CFG scale, better quality and text alignment; lower, more diversity"
TRADEOFF = (("fidelity_object", "object fidelity (judge agrees with the caption's object) rises with the CFG scale", True),
            ("diversity", "diversity (judge-feature distance between a caption's images) falls with the CFG scale", False))


def table3_scales(cfg) -> list[float]:
    """The Table 3 scales the CFG study draws (all of its scales when it draws none of them)."""
    study = [float(s) for s in cfg.study.cfg_scales]
    return [s for s in SCALES if s in study] or study


def cfg_scale_runs(cfg, scale_dirs: dict) -> dict[str, list[str]]:
    """SynCLR at the ablation budget trained on each CFG scale's images, `scale_dirs` =
    {scale: synthetic-image directory} -> {"CFG s": overrides}."""
    return {f"CFG {float(s):g}": synclr_on(d, cfg) for s, d in scale_dirs.items()}


def cfg_runs(cfg, *, build: bool = True) -> dict[str, list[str]]:
    """{"CFG s": overrides} on the CFG study's directory of each Table 3 scale; build=False
    names the directories without drawing them (for cost listings)."""
    from ..images.cfg_study import cfg_study_dir

    return cfg_scale_runs(cfg, {s: cfg_study_dir(cfg, s, build=build) for s in table3_scales(cfg)})


def table3(long: pd.DataFrame, scales) -> pd.DataFrame:
    """One row per Table 3 scale (`encoder` names "CFG s" in scale order): objects and the
    fine-grained mean beside the paper's ImageNet linear accuracy at that scale."""
    from ..evaluate.suites import wide_table

    table = wide_table(long, kinds=("objects", "fine_grained")).rename(columns={"encoder": "CFG scale"})
    table.insert(1, "paper ImageNet linear", [paper.TABLE3.get(float(s)) for s in scales])
    return table


def tradeoff_findings(steps) -> list[Finding]:
    """Fidelity rises and diversity falls with the scale, from a trend table
    (images.cfg_study.trend_table, notebook 03's 03_cfg_steps) or a Missing."""
    if isinstance(steps, Missing):
        return [Finding("Table 3", claim, NOT_MEASURED, str(steps), CLAIM_PAPER) for _, claim, _ in TRADEOFF]
    return [trend_finding("Table 3", claim, steps, measure, rising=rising, paper=CLAIM_PAPER)
            for measure, claim, rising in TRADEOFF]


def findings(t: dict, spreads: dict | None = None) -> list[Finding]:
    out = tradeoff_findings(t["03_cfg_steps"])
    down = t["03_table3"]
    claim_down = "downstream objects accuracy hardly changes between CFG scales (range within the seed spread)"
    paper_down = "ImageNet linear " + " / ".join(f"{v} (CFG {k:g})" for k, v in paper.TABLE3.items())
    if isinstance(down, Missing) or OBJ not in getattr(down, "columns", []):
        out.append(Finding("Table 3", claim_down, NOT_MEASURED, str(down), paper_down))
    else:
        out.append(flat_finding("Table 3", claim_down, dict(zip(down.iloc[:, 0], down[OBJ])),
                                (spreads or {}).get(OBJ), paper=paper_down))
    return out


def section(t: dict, spreads: dict | None = None) -> tuple[str, list[Finding]]:
    fs = findings(t, spreads)
    p3 = pd.DataFrame([{"CFG scale": k, "ImageNet linear": v} for k, v in paper.TABLE3.items()])
    down = t["03_table3"]
    body = ["## Table 3: classifier-free guidance scale", "", paper_block(p3), "",
            measured_block("03_cfg_fidelity_diversity", t["03_cfg_fidelity_diversity"], ".3f"), "",
            "Each CFG step, paired over the study's captions (mean change, 95 % bootstrap interval):", "",
            measured_block("03_cfg_steps", t["03_cfg_steps"], ".3f"), "",
            "Downstream accuracy per CFG scale (the paper's Table 3 column itself): "
            + (markdown(down) if not isinstance(down, Missing) else f"_{down}_"),
            "", "Findings:", "", findings_block(fs)]
    return "\n".join(body), fs

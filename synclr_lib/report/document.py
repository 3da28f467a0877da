"""reports/REPORT.md and reports/README_findings.md, assembled from the notebooks' tables,
the artifacts' meta.json, reports/budget.json and the paper's numbers (paper_numbers.py).

For every paper table and figure (Tables 2, 3, 4, 5, 6, 9, 10; Figs. 5, 6, 7) a section
puts the paper's numbers and the measured ones side by side and judges each finding
(findings.py). Nothing is typed by hand: a number either comes from one of those files or
the section says "missing: <file>". With no input at all, `build_report` raises.

    report = build_report(cfg)
    report.write()          # reports/REPORT.md, reports/README_findings.md

Introduced in notebooks/08_report.py.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import paths
from ..evaluate import paper_numbers as paper
from ..reporting import save_text
from . import budget as budget_mod
from .findings import (NOT_MEASURED, Finding, Spread, flat_finding, ordering_finding, seed_spread,
                       spread_from_summary, summary_counts, trend_finding)
from .render import Missing, figure_link, markdown, read_table, value

OBJ, FG = "objects", "fine-grained mean"
OBJ04 = "objects (ImageNet analogue)"
INPUT_TABLES = ("02_caption_stats", "03_cfg_fidelity_diversity", "03_cfg_steps", "03_table3", "04_table4",
                "04_table5", "04_table10", "04_seeds_all", "04_main_comparison", "04_run_times", "05_table2",
                "05_table6", "05_table9", "06_foreground_iou", "07_scaling")


class NoInputsError(FileNotFoundError):
    """Not one input table and no artifact: nothing to report."""


@dataclass
class Report:
    markdown: str
    findings: list[Finding]
    readme_findings: str
    missing: list[str] = field(default_factory=list)

    def write(self, reports: Path | None = None) -> list[Path]:
        if reports is not None:
            from ..atomic import atomic_write
            return [atomic_write(reports / n, lambda p, t=t: p.write_text(t))
                    for n, t in (("REPORT.md", self.markdown), ("README_findings.md", self.readme_findings))]
        return [save_text(self.markdown, "REPORT.md"), save_text(self.readme_findings, "README_findings.md")]


# ---------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------
def _fmt_chain(pairs) -> str:
    return " > ".join(f"{k} {v:.1f}" for k, v in pairs)


def _row_values(table, key: str, column: str, names) -> dict:
    return {n: value(table, key, n, column) for n in names}


def _pick_column(table, prefix: str):
    if isinstance(table, Missing):
        return None
    cols = [c for c in table.columns if c.startswith(prefix)]
    return cols[0] if cols else None


def _paper_block(df: pd.DataFrame) -> str:
    return "Paper (from `synclr_lib/evaluate/paper_numbers.py`):\n\n" + markdown(df)


def _measured_block(name: str, table, floatfmt: str = ".1f") -> str:
    return f"Measured (`tables/{name}.csv`):\n\n" + markdown(table, floatfmt)


def _findings_block(findings: list[Finding]) -> str:
    return "\n".join(f"- {f.line()}" for f in findings) if findings else "_no finding for this section_"


# ---------------------------------------------------------------------------------------
# the sections
# ---------------------------------------------------------------------------------------
def seed_spreads(t: dict) -> tuple[dict[str, Spread], str]:
    """({metric: Spread}, the table it came from) from load_inputs()'s 04 tables: the threshold
    every accuracy finding is judged against ({} when neither table exists)."""
    seeds_all, main = t["04_seeds_all"], t["04_main_comparison"]
    if not isinstance(seeds_all, Missing):
        s = seed_spread(seeds_all)
        if s:
            return s, "04_seeds_all"
    if not isinstance(main, Missing):
        s = spread_from_summary(main)
        if s:
            return s, "04_main_comparison"
    return {}, ""


def section_seeds(t, spreads, source) -> str:
    parts = ["## Seed-to-seed spread (the noise threshold of every accuracy finding)", "",
             "The main SynCLR run repeated with `train.compare_seeds` seeds (notebook 04). A direction counts "
             "as reproduced only when its difference exceeds this spread (max - min over seeds) and the spread "
             "comes from at least 3 seeds.", ""]
    parts.append(_measured_block("04_main_comparison", t["04_main_comparison"]))
    parts.append("")
    if spreads:
        parts.append(f"Spread used (from `tables/{source}.csv`): "
                     + "; ".join(f"{m}: {s.describe()}" for m, s in spreads.items()))
    else:
        parts.append("_missing: tables/04_seeds_all.csv and tables/04_main_comparison.csv: no spread, "
                     "so no accuracy finding can count as reproduced_")
    return "\n".join(parts)


def section_table2(t, spreads, profile) -> tuple[str, list[Finding]]:
    tab = t["05_table2"]
    findings = []
    strategies = list(paper.TABLE2_STRATEGY)
    for metric, prefix, paper_col in ((FG, "fine-grained mean (", 1), (OBJ, "objects (", 0)):
        col = _pick_column(tab, prefix)
        vals = _row_values(tab, "strategy here", col, strategies) if col else {}
        p = {s: paper.TABLE2[paper.TABLE2_STRATEGY[s]]["SynCLR"][paper_col] for s in strategies}
        others = {s: v for s, v in vals.items() if s != "mix" and v is not None}
        best_other = max(others, key=others.get) if others else "alt-text"
        findings.append(ordering_finding(
            "Table 2", f"the final caption mix beats every other strategy on {metric} (closest: {best_other})",
            vals, ["mix", best_other], spreads.get(metric),
            paper="SynCLR " + ", ".join(f"{s} {v:.1f}" for s, v in p.items())))
        findings.append(ordering_finding(
            "Table 2", f"plausible backgrounds (c_bg) beat random ones (c_bg_random) on {metric}",
            vals, ["c_bg", "c_bg_random"], spreads.get(metric),
            paper=f"SynCLR c_bg {p['c_bg']:.1f} vs c_bg_random {p['c_bg_random']:.1f}"))
    body = ["## Table 2: caption strategies", "",
            _measured_block("05_table2", tab), "",
            "Caption-set statistics behind the strategies (notebook 02; the paper gives no such numbers):", "",
            markdown(t["02_caption_stats"], ".3f"), "", "Findings:", "", _findings_block(findings)]
    return "\n".join(body), findings


def section_table3(t, spreads=None) -> tuple[str, list[Finding]]:
    tab = t["03_cfg_fidelity_diversity"]
    findings = []
    p3 = pd.DataFrame([{"CFG scale": k, "ImageNet linear": v} for k, v in paper.TABLE3.items()])
    claim_paper = "Sec. 3.2: higher CFG scale, better quality and text alignment; lower, more diversity"
    steps = t["03_cfg_steps"]
    for measure, claim, rising in (
            ("fidelity_object", "object fidelity (judge agrees with the caption's object) rises with the CFG scale", True),
            ("diversity", "diversity (judge-feature distance between a caption's images) falls with the CFG scale",
             False)):
        if isinstance(steps, Missing):
            findings.append(Finding("Table 3", claim, NOT_MEASURED, str(steps), claim_paper))
        else:
            findings.append(trend_finding("Table 3", claim, steps, measure, rising=rising, paper=claim_paper))
    down = t["03_table3"]
    claim_down = "downstream objects accuracy hardly changes between CFG scales (range within the seed spread)"
    paper_down = "ImageNet linear " + " / ".join(f"{v} (CFG {k:g})" for k, v in paper.TABLE3.items())
    if isinstance(down, Missing) or OBJ not in getattr(down, "columns", []):
        findings.append(Finding("Table 3", claim_down, NOT_MEASURED, str(down), paper_down))
    else:
        findings.append(flat_finding("Table 3", claim_down, dict(zip(down.iloc[:, 0], down[OBJ])),
                                     (spreads or {}).get(OBJ), paper=paper_down))
    body = ["## Table 3: classifier-free guidance scale", "", _paper_block(p3), "",
            _measured_block("03_cfg_fidelity_diversity", tab, ".3f"), "",
            "Each CFG step, paired over the study's captions (mean change, 95 % bootstrap interval):", "",
            _measured_block("03_cfg_steps", steps, ".3f"), "",
            "Downstream accuracy per CFG scale (the paper's Table 3 column itself): "
            + (markdown(down) if not isinstance(down, Missing) else f"_{down}_"),
            "", "Findings:", "", _findings_block(findings)]
    return "\n".join(body), findings


def _pair_findings(section, tab, key, rows_metric_cols, pairs, spreads, paper_rows, names=None):
    names = names or {}
    out = []
    for metric, col, idx in rows_metric_cols:
        for a, b in pairs:
            vals = _row_values(tab, key, col, [a, b]) if not isinstance(tab, Missing) else {}
            pa, pb = paper_rows.get(names.get(a, a)), paper_rows.get(names.get(b, b))
            ptxt = f"{names.get(a, a)} {pa[idx]:.1f} vs {names.get(b, b)} {pb[idx]:.1f}" if pa and pb and pa[idx] is not None and pb[idx] is not None else ""
            f = ordering_finding(section, f"{a} beats {b} on {metric}", vals, [a, b], spreads.get(metric), paper=ptxt)
            if isinstance(tab, Missing):
                f = Finding(section, f.claim, NOT_MEASURED, str(tab), ptxt)
            out.append(f)
    return out


def section_table4(t, spreads) -> tuple[str, list[Finding]]:
    tab = t["04_table4"]
    pairs = [("+EMA", "StableRep"), ("+EMA+iBOT", "+EMA"), ("+EMA+multi-crop", "+EMA"),
             ("SynCLR", "+EMA+iBOT"), ("SynCLR", "+EMA+multi-crop")]
    findings = _pair_findings("Table 4", tab, "encoder", [(FG, FG, 1), (OBJ, OBJ04, 0)], pairs, spreads,
                              paper.TABLE4, {"SynCLR": "SynCLR (all)"})
    body = ["## Table 4: what each SynCLR component adds", "",
            "Measured beside the paper (columns `paper ...` come from paper_numbers.py; comparison budget "
            "`train.ablation_steps`):", "", markdown(t["04_table4"]), "", "Findings:", "", _findings_block(findings)]
    return "\n".join(body), findings


def section_table5(t, spreads) -> tuple[str, list[Finding]]:
    tab = t["04_table5"]
    order = ["SynCLR", "SupCE", "SimCLR"]
    names = {"SupCE": "supervised CE"}
    findings = []
    for metric, col, idx in ((FG, FG, 1), (OBJ, OBJ04, 0)):
        vals = _row_values(tab, "encoder", col, order) if not isinstance(tab, Missing) else {}
        ptxt = _fmt_chain((n, paper.TABLE5[names.get(n, n)][idx]) for n in order)
        f = ordering_finding("Table 5", f"multi-positive SynCLR > SupCE > SimCLR on {metric}", vals, order,
                             spreads.get(metric), paper=ptxt)
        if isinstance(tab, Missing):
            f = Finding("Table 5", f.claim, NOT_MEASURED, str(tab), ptxt)
        findings.append(f)
    body = ["## Table 5: the objective, on the same synthetic images", "", markdown(tab), "",
            "Findings:", "", _findings_block(findings)]
    return "\n".join(body), findings


def section_table6(t, spreads) -> tuple[str, list[Finding]]:
    tab = t["05_table6"]
    obj_col = _pick_column(tab, "objects")
    findings = []
    if isinstance(tab, Missing):
        findings.append(Finding("Table 6", "SynCLR beats StableRep and CLIP (web) on the fine-grained mean",
                                NOT_MEASURED, str(tab)))
    else:
        meas = tab[tab["source"] != "paper"]
        for metric, col, idx in ((FG, FG, 1), (OBJ, obj_col, 0)):
            for other, paper_other in (("StableRep", "StableRep B/16"), ("CLIP (web)", "CLIP B/16")):
                vals = _row_values(meas, "encoder", col, ["SynCLR", other]) if col else {}
                ptxt = f"SynCLR B/16 {paper.TABLE6['SynCLR B/16'][idx]:.1f} vs {paper_other} {paper.TABLE6[paper_other][idx]:.1f}"
                findings.append(ordering_finding("Table 6", f"SynCLR beats {other} on {metric}", vals,
                                                 ["SynCLR", other], spreads.get(metric), paper=ptxt))
    body = ["## Table 6 (and Table 7's ADE20k column): the main comparison", "",
            "Measured rows (source `measured (...)`) and the paper's rows (source `paper`), from `tables/05_table6.csv`; "
            "CLIP (web) is CLIP trained on the mini-web's renders and alt-text (learning from data).", "",
            markdown(tab), "", "Findings:", "", _findings_block(findings)]
    return "\n".join(body), findings


def section_table9(t) -> tuple[str, list[Finding]]:
    p9 = pd.DataFrame({"paper dataset": list(paper.TABLE9_DATASETS)})
    body = ["## Table 9: unseen concepts", "",
            "The paper's per-dataset Table 9 numbers are not in `paper_numbers.py` (the notes list only the "
            "datasets), so no finding is judged here.", "", _paper_block(p9), "",
            _measured_block("05_table9", t["05_table9"])]
    return "\n".join(body), []


def section_table10(t, spreads) -> tuple[str, list[Finding]]:
    tab = t["04_table10"]
    findings = _pair_findings("Table 10", tab, "encoder", [(FG, FG, 1), (OBJ, OBJ04, 0)], [("SynCLR", "CLIP")],
                              spreads, paper.TABLE10)
    body = ["## Table 10: SynCLR vs CLIP on the same synthetic data", "", markdown(tab), "",
            "Findings:", "", _findings_block(findings)]
    return "\n".join(body), findings


def _concept_spread(iou: pd.DataFrame, a: str, b: str) -> tuple[dict, Spread | None]:
    piv = iou.pivot_table(index="concept", columns="encoder", values="foreground IoU")
    if a not in piv or b not in piv:
        return {}, None
    d = (piv[a] - piv[b]).dropna()
    n = len(d)
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
    return ({a: float(piv[a].mean()), b: float(piv[b].mean())},
            Spread(2 * se, n, "two standard errors of the per-concept difference", unit="concept"))


def section_fig5(t, reports) -> tuple[str, list[Finding]]:
    iou = t["06_foreground_iou"]
    findings = []
    ptxt = "Fig. 5 (qualitative): SynCLR's first patch components separate the object from the background"
    if isinstance(iou, Missing):
        findings.append(Finding("Fig. 5", "SynCLR's first PCA component finds the object", NOT_MEASURED, str(iou), ptxt))
        summary = iou
        figs = ""
    else:
        synclr = next((e for e in iou["encoder"].unique() if str(e).startswith("SynCLR")), "SynCLR")
        for other in ("random init", "CLIP (web)"):
            vals, spread = _concept_spread(iou, synclr, other)
            findings.append(ordering_finding("Fig. 5", f"{synclr}'s first PCA component finds the object better "
                                             f"than {other}'s (mean foreground IoU over concepts)",
                                             vals, [synclr, other], spread, paper=ptxt))
        summary = iou.pivot_table(index="encoder", columns="concept", values="foreground IoU", sort=False)
        summary["mean"] = summary.mean(axis=1)
        summary = summary.reset_index()
        figs = "\n".join(figure_link(f"06_pca_{c.replace(' ', '_')}", reports, f"PCA {c}")
                         for c in iou["concept"].unique())
    body = ["## Fig. 5: PCA of patch features", "",
            "Foreground IoU of the thresholded first component against the renderer's object patches "
            "(`tables/06_foreground_iou.csv`); the paper's figure is qualitative.", "", markdown(summary), "",
            figs, "", "Findings:", "", _findings_block(findings)]
    return "\n".join(body), findings


def section_fig67(t, spreads, reports) -> tuple[str, list[Finding]]:
    from .scaling import paper_scaling

    tab = t["07_scaling"]
    pts = paper_scaling()
    ptab = pts.pivot_table(index="captions", columns="curve", values="value", sort=False).reset_index()
    ptab["captions"] = [f"{c / 1e6:g}M" for c in ptab["captions"]]
    b0, b1 = paper.FIG6_VITB_IMAGENET[0], paper.FIG6_VITB_IMAGENET[-1]
    f0, f1 = paper.FIG7_VITB_FINE_GRAINED[0], paper.FIG7_VITB_FINE_GRAINED[-1]
    c0, c1 = paper.FIG6_CAPTIONS[0], paper.FIG6_CAPTIONS[-1]
    findings = []
    if isinstance(tab, Missing):
        findings.append(Finding("Figs. 6-7", "more captions help", NOT_MEASURED, str(tab)))
    else:
        for size, rows in tab.groupby("size", sort=False):
            rows = rows.sort_values("captions")
            lo, hi = rows.iloc[0], rows.iloc[-1]
            for metric, ptxt in ((OBJ, f"ViT-B ImageNet {b0} at {c0} -> {b1} at {c1}"),
                                 (FG, f"ViT-B fine-grained {f0} at {c0} -> {f1} at {c1}")):
                a, b = f"{int(hi['captions'])} captions", f"{int(lo['captions'])} captions"
                findings.append(ordering_finding("Figs. 6-7", f"{size}: more captions help on {metric}",
                                                 {a: hi[metric], b: lo[metric]}, [a, b], spreads.get(metric),
                                                 paper=ptxt))
        top = tab[tab["captions"] == tab["captions"].max()]
        if len(top) >= 2:
            # the larger encoder: the size whose label is not "small ..." (encoder_sizes names)
            big = next((s for s in top["size"] if not str(s).startswith("small")), top["size"].iloc[-1])
            small = next((s for s in top["size"] if s != big), top["size"].iloc[0])
            vitl = list(paper.FIG6_VITL_IMAGENET.items())[-1]
            vitb = dict(zip(paper.FIG6_CAPTIONS, paper.FIG6_VITB_IMAGENET)).get(vitl[0], float("nan"))
            for metric in (OBJ, FG):
                ptxt = f"ImageNet at {vitl[0]}: ViT-L {vitl[1]} vs ViT-B {vitb}" + (
                    "" if metric == OBJ else " (the paper gives no ViT-L fine-grained curve)")
                vals = {big: value(top, "size", big, metric), small: value(top, "size", small, metric)}
                findings.append(ordering_finding(
                    "Figs. 6-7", f"at the most captions the larger encoder beats the smaller on {metric}", vals,
                    [big, small], spreads.get(metric), paper=ptxt))
    body = ["## Figs. 6-7: scaling the number of captions", "", _paper_block(ptab), "",
            _measured_block("07_scaling", tab if isinstance(tab, Missing) else tab.drop(columns=["artifact"], errors="ignore")),
            "", figure_link("07_scaling", reports, "Figs. 6-7 analogue"), "", "Findings:", "", _findings_block(findings)]
    return "\n".join(body), findings


PAPER_COST = paths.REPO_ROOT / "benchmarks" / "results" / "paper_cost.md"


def section_paper_cost(path: Path | None = None) -> str:
    """The paper's scale priced on measured hardware (Table 12's schedule): the table and the
    machine lines of benchmarks/results/paper_cost.md, written by benchmarks/bench_paper_cost.py."""
    path = Path(path or PAPER_COST)
    head = "## The paper's scale, priced (Sec. 3, Table 12)"
    if not path.is_file():
        return f"{head}\n\n_missing: `{path.name}` (run `benchmarks/bench_paper_cost.py`)_"
    lines = path.read_text().splitlines()
    facts = [line for line in lines if line.startswith("- ") and line.split(":")[0] in ("- date", "- machine", "- GPU")]
    table = [line for line in lines if line.startswith("|")]
    return "\n".join([head, "", f"From `benchmarks/results/{path.name}` (`benchmarks/bench_paper_cost.py`: "
                       "full-size architectures with random weights, timed and extrapolated):", "", *facts, "", *table])


def built_during(created: str, budget: dict) -> bool:
    """Whether an artifact whose meta.json says `created` was built during the budgeted run
    (between its start and its end, not by a notebook run alone afterwards)."""
    start, when = budget["started_epoch"], budget_mod.parse_epoch(created)
    return when is not None and start <= when <= start + budget.get("wall_s", float("inf"))


def section_costs(cfg, t, budget) -> str:
    from ..runtime import git_commit, package_versions
    from .costs import commits, package_table, per_stage, stage_costs

    extra = []
    if not isinstance(t["07_scaling"], Missing) and "artifact" in t["07_scaling"]:
        extra = [str(h) for h in t["07_scaling"]["artifact"].dropna()]
    costs = stage_costs(cfg, extra)
    stages = per_stage(costs)
    built = costs[costs["built"]]
    if budget and not isinstance(budget, Missing) and "started_epoch" in budget:
        new = built["created"].map(lambda created: built_during(created, budget))
        stages = stages.merge(built.assign(new=new).groupby("stage")["new"].sum()
                              .rename("built during the budgeted run").astype(int).reset_index(),
                              on="stage", how="left")
    detail = built[["stage", "what", "artifact", "wall_s", "created", "git_commit"]]
    pk = package_table(costs)
    now = package_versions()
    body = ["## Cost: wall time per stage, commit, packages", "",
            "Wall time of every artifact the current config uses (each artifact's `meta.json` `wall_s`; a cached "
            "artifact keeps the time of the run that built it).", "", markdown(stages), "",
            "<details><summary>every artifact</summary>", "", markdown(detail, ".1f"), "", "</details>", "",
            f"Commit of this report: `{git_commit()}`. Commits the artifacts were built at: "
            + (", ".join(f"`{c}`" for c in commits(costs)) or "_none built_"), "",
            "Package versions recorded in the artifacts' meta.json:", "", markdown(pk), "",
            "Package versions of the process writing this report: "
            + ", ".join(f"{k} {v}" for k, v in now.items())]
    return "\n".join(body)


# ---------------------------------------------------------------------------------------
def load_inputs(reports: Path | None = None) -> dict:
    return {n: read_table(n, reports) for n in INPUT_TABLES}


def build_report(cfg, reports: Path | None = None) -> Report:
    """The whole REPORT (markdown + findings + README block); raises NoInputsError when no
    input table exists and the artifacts directory holds nothing."""
    reports = reports or paths.reports_dir()
    t = load_inputs(reports)
    missing = [str(v) for v in t.values() if isinstance(v, Missing)]
    have_artifacts = paths.artifacts_dir().is_dir() and any(paths.artifacts_dir().iterdir())
    if all(isinstance(t[n], Missing) for n in INPUT_TABLES) and not have_artifacts:
        raise NoInputsError(f"nothing to report: no table under {reports / 'tables'} and no artifact under "
                            f"{paths.artifacts_dir()}; run notebooks 02-07 first (make figures)")
    spreads, source = seed_spreads(t)
    budget = budget_mod.read_budget(reports)
    sections, findings = [], []
    for build in (lambda: section_table2(t, spreads, cfg.profile), lambda: section_table3(t, spreads),
                  lambda: section_table4(t, spreads), lambda: section_table5(t, spreads),
                  lambda: section_table6(t, spreads), lambda: section_table9(t),
                  lambda: section_table10(t, spreads), lambda: section_fig5(t, reports),
                  lambda: section_fig67(t, spreads, reports)):
        text, fs = build()
        sections.append(text)
        findings += fs
    counts = summary_counts(findings)
    from ..runtime import git_commit
    head = [f"# SynCLR replication: generated report (profile `{cfg.profile}`)", "",
            f"Generated {time.strftime('%Y-%m-%d %H:%M')} by `notebooks/08_report.py` at commit `{git_commit()}`. "
            "Every number below is read from `reports/tables/*.csv` (written by notebooks 02-07), the artifacts' "
            "`meta.json`, `reports/budget.json` or `synclr_lib/evaluate/paper_numbers.py` (the paper's numbers); "
            "none is typed by hand. The paper's numbers come from 600M generated images and ViT-B/L; the measured "
            "ones from a 32-pixel world on a CPU: compare directions, not values.", "",
            f"Findings: **{counts['reproduced']} reproduced**, {counts['not reproduced']} not reproduced, "
            f"{counts['not measured']} not measured.", ""]
    if missing:
        head += ["Inputs not found (their sections say so): " + ", ".join(f"`{m}`" for m in missing), ""]
    summary = ["## What reproduced and what did not", "", _findings_block(findings)]
    budget_part = ["## Budget: `make figures` end to end", "", budget_mod.budget_section(budget, reports)]
    md = "\n".join(head + [section_seeds(t, spreads, source), "", *summary, "", *budget_part, ""]
                   + [s + "\n" for s in sections] + [section_costs(cfg, t, budget), "", section_paper_cost(), ""])
    readme = "\n".join([
        f"Generated from `reports/REPORT.md` (profile `{cfg.profile}`, commit `{git_commit()}`): "
        f"{counts['reproduced']} reproduced, {counts['not reproduced']} not reproduced, "
        f"{counts['not measured']} not measured. A direction counts as reproduced only when its difference "
        "exceeds its noise: the seed-to-seed spread of the main SynCLR run (at least 3 seeds) for "
        "accuracies, the spread over concepts for Fig. 5, a 95 % bootstrap interval over paired "
        "captions for Table 3's CFG trends; the numbers and the paper's values for every line are "
        "in the REPORT.", "",
        "\n".join(f"- {f.short_line()}" for f in findings), ""])
    return Report(md, findings, readme, missing)

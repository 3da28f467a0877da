"""reports/REPORT.md and reports/README_findings.md, assembled from the notebooks' tables,
the artifacts' meta.json, reports/budget.json and the paper's numbers (paper_numbers.py).

For every paper table and figure (Tables 2, 3, 4, 5, 6, 9, 10; Figs. 5, 6, 7) its study
module (synclr_lib/studies/) writes a section that puts the paper's numbers and the
measured ones side by side and judges each finding; this module assembles them with the
budget and the costs. Nothing is typed by hand: a number either comes from one of those files or
the section says "missing: <file>". With no input at all, `build_report` raises.

    report = build_report(cfg)
    report.write()          # reports/REPORT.md, reports/README_findings.md

Introduced in notebooks/08_report.py.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..reporting import Missing, markdown, read_tables, save_text
from ..studies import cfg_scale, comparisons, components, objective, patches, scaling, strategies
from ..studies.sections import findings_block
from ..studies.verdicts import Finding, seed_spreads, summary_counts
from . import budget as budget_mod

INPUT_TABLES = (*strategies.TABLES, *cfg_scale.TABLES, *components.TABLES, *objective.TABLES,
                *comparisons.TABLES, "04_run_times", *patches.TABLES, *scaling.TABLES)


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
    detail = built[["stage", "what", "artifact", "wall_s", "own_s", "created", "git_commit"]]
    pk = package_table(costs)
    now = package_versions()
    body = ["## Cost: wall time per stage, commit, packages", "",
            "Wall time of every artifact the current config uses (each artifact's `meta.json`: `wall_s` around its "
            "build, `own_s` without the upstream stages built inside it; a cached artifact keeps the times of the run "
            "that built it).", "", markdown(stages), "",
            "<details><summary>every artifact</summary>", "", markdown(detail, ".1f"), "", "</details>", "",
            f"Commit of this report: `{git_commit()}`. Commits the artifacts were built at: "
            + (", ".join(f"`{c}`" for c in commits(costs)) or "_none built_"), "",
            "Package versions recorded in the artifacts' meta.json:", "", markdown(pk), "",
            "Package versions of the process writing this report: "
            + ", ".join(f"{k} {v}" for k, v in now.items())]
    return "\n".join(body)


# ---------------------------------------------------------------------------------------
def load_inputs(reports: Path | None = None) -> dict:
    return read_tables(INPUT_TABLES, reports)


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
    seeds_text, findings = comparisons.section_seeds(t, spreads, source)
    sections = []
    for build in (lambda: strategies.section(t, spreads), lambda: cfg_scale.section(t, spreads),
                  lambda: components.section(t, spreads), lambda: objective.section(t, spreads),
                  lambda: comparisons.section_table6(t, spreads), lambda: comparisons.section_table9(t),
                  lambda: comparisons.section_table10(t, spreads), lambda: patches.section(t, reports),
                  lambda: scaling.section(t, spreads, reports)):
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
    summary = ["## What reproduced and what did not", "", findings_block(findings)]
    budget_part = ["## Budget: `make figures` end to end", "", budget_mod.budget_section(budget, reports)]
    md = "\n".join(head + [seeds_text, "", *summary, "", *budget_part, ""]
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

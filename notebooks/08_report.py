# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · The report: what reproduced, what did not, and what it cost
#
# *Run All* takes from seconds (`smoke`) to hours (`mini` from an empty cache): the measured time of
# every notebook per profile is in [notebook_times.md](../benchmarks/results/notebook_times.md). The `profile` parameter
# below defaults to `mini`; set it to `"smoke"` for a quick look (outputs go to `reports/smoke/`).
#
# This notebook runs last (`make figures` runs the notebooks in name order). It trains and
# probes nothing: it reads what notebooks 02-07 wrote under `reports/tables/`, the
# artifacts' `meta.json` and `reports/budget.json` (wall time and peak memory of
# `make figures`, written by the notebook runner), puts the paper's numbers
# (`synclr_lib/evaluate/paper_numbers.py`) beside the measured ones for every table and
# figure (Tables 2, 3, 4, 5, 6, 9, 10; Figs. 5, 6, 7) and judges each finding.
#
# **The rule.** A direction ("SynCLR beats SupCE") counts as *reproduced* only when the
# measured difference exceeds the seed-to-seed spread (max - min) of the main SynCLR run
# repeated with at least 3 seeds (notebook 04). A difference inside the spread, one that
# points the other way, or a spread from fewer than 3 seeds is *not reproduced*; a finding
# whose table is missing is *not measured*. Two findings have no seeds behind them and use
# another noise measure, named in their line: the CFG study's fidelity (two binomial
# standard errors) and diversity (the direction must hold at every scale), and the PCA
# foreground IoU (two standard errors over concepts).
#
# Outputs: `reports/REPORT.md` and `reports/README_findings.md` (the README's "what
# reproduced" block; `python -m synclr_lib.report.readme` splices it into README.md).

# %% tags=["parameters"]
profile = "mini"  # smoke | mini | gpu | paper
overrides = list()  # config overrides, strings of the README form (papermill-safe: no brackets)

# %%
from IPython.display import Markdown, display

from synclr_lib import paths
from synclr_lib.report.budget import budget_markdown, later_runs, read_budget
from synclr_lib.report.document import build_report
from synclr_lib.session import start

cfg = start(profile, overrides)
print(f"artifacts: {paths.artifacts_dir()}")

# %% [markdown]
# ## 1. Build the report
# A missing input table does not fail the notebook: its section says `missing: <file>`
# (a stage may have been skipped). With no input at all this cell raises.

# %%
report = build_report(cfg)
written = report.write()
print("\n".join(str(p) for p in written))
if report.missing:
    print("missing inputs:", ", ".join(report.missing))

# %% [markdown]
# ## 2. The findings

# %%
display(Markdown(report.readme_findings))

# %% [markdown]
# ## 3. The budget so far
# While `make figures` runs, `budget.json` covers the notebooks before this one; when the
# run ends, the runner rewrites the budget section of REPORT.md to include this notebook.

# %%
budget = read_budget()
display(Markdown(budget_markdown(budget, later_runs(budget))))

# %% [markdown]
# ## 4. The whole REPORT.md

# %%
display(Markdown(report.markdown))

"""The scaling study (Figs. 6-7) and the generated report: what reproduced, at what cost.

- `scaling`: caption subsets of the images stage and the size x captions training grid
  (notebooks/07_scaling.py);
- `findings`: one paper finding -> reproduced / not reproduced, judged against the
  seed-to-seed spread of the main SynCLR run (notebooks/08_report.py);
- `render`: reading the notebooks' CSV tables ("missing: <file>" instead of failing) and
  Markdown tables (notebooks/08_report.py);
- `costs`: wall time per stage, commit and package versions from the artifacts' meta.json
  (notebooks/08_report.py);
- `budget`: wall time and peak memory of `make figures`, per notebook, in reports/budget.json
  (written by the notebook runner, read by notebooks/08_report.py);
- `document`: REPORT.md and README_findings.md assembled from all of the above
  (notebooks/08_report.py);
- `readme`: splice README_findings.md into README.md between two markers.
"""

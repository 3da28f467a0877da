"""The generated report: what reproduced, at what cost. It assembles the studies' sections
(synclr_lib/studies/) and never trains or judges anything itself.

- `document`: REPORT.md and README_findings.md from the studies' sections, the budget and
  the costs (notebooks/08_report.py);
- `costs`: wall time per stage, commit and package versions from the artifacts' meta.json
  (notebooks/08_report.py);
- `budget`: wall time and peak memory of `make figures`, per notebook, in reports/budget.json
  (written by the notebook runner, read by notebooks/08_report.py);
- `readme`: splice README_findings.md into README.md between two markers.
"""

"""Where things land: artifacts/ (cached stage outputs) and reports/ (notebooks, figures, tables).

Both can be moved with environment variables (the test-suite points them at temporary
directories so a test run never touches your results).
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def artifacts_dir() -> Path:
    return Path(os.environ.get("SYNCLR_ARTIFACTS", REPO_ROOT / "artifacts"))


def reports_dir() -> Path:
    return Path(os.environ.get("SYNCLR_REPORTS", REPO_ROOT / "reports"))


def notebooks_dir() -> Path:
    return REPO_ROOT / "notebooks"

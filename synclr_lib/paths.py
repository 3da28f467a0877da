"""Where things land: artifacts/ (cached stage outputs) and reports/ (notebooks, figures, tables).

Both can be moved with environment variables (the test-suite points them at temporary
directories so a test run never touches your results). The default profile's results are
the committed `reports/`; every other profile writes to `reports/<profile>/`, so a `smoke`
run never overwrites them. The profile is chosen by `use_profile` (notebooks: through
`synclr_lib.session.start`; the notebook runner: before it runs any), or `$SYNCLR_PROFILE`.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PROFILE = "mini"  # the profile whose results reports/ holds (and README shows)
PROFILE_ENV = "SYNCLR_PROFILE"  # how the notebook runner tells its kernels the profile

_active_profile: str | None = None


def use_profile(profile: str | None) -> None:
    """Send this process's reports to the folder of `profile` (None: back to the environment's)."""
    global _active_profile
    _active_profile = profile


def active_profile() -> str:
    return _active_profile or os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE


def artifacts_dir() -> Path:
    return Path(os.environ.get("SYNCLR_ARTIFACTS", REPO_ROOT / "artifacts"))


def reports_root() -> Path:
    """reports/ itself: the default profile's folder, and the parent of every other's."""
    return Path(os.environ.get("SYNCLR_REPORTS", REPO_ROOT / "reports"))


def reports_dir(profile: str | None = None) -> Path:
    """Where notebooks, figures, tables, REPORT.md and budget.json of `profile` (default: the
    active one) go: reports/ for the default profile, reports/<profile>/ for the others."""
    profile = profile or active_profile()
    root = reports_root()
    return root if profile == DEFAULT_PROFILE else root / profile


def notebooks_dir() -> Path:
    return REPO_ROOT / "notebooks"


def local_dir(value, cwd=None) -> Path:
    """A model directory named in the config: absolute as given; relative, under the current
    directory (or `cwd`) when it is there, else under the repository (`generators/mini/g1`
    from anywhere)."""
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    here = Path(cwd) / path if cwd is not None else path
    return here if here.exists() else REPO_ROOT / path


def generators_dir(profile: str = DEFAULT_PROFILE) -> Path:
    """The shipped generators of a profile (`make generators`): g1/, g2/ and judge/."""
    return REPO_ROOT / "generators" / profile


def shown(path) -> str:
    """A path as messages print it: relative to the repository when inside it."""
    try:
        return str(Path(path).relative_to(REPO_ROOT))
    except ValueError:
        return str(path)

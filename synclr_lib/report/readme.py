"""Splice the generated "what reproduced" block (reports/README_findings.md, written by
notebooks/08_report.py) into README.md between two markers, so the README's numbers are the
REPORT's, never typed by hand.

    python -m synclr_lib.report.readme            # README.md <- reports/README_findings.md
    python -m synclr_lib.report.readme --check    # exit 1 when README.md is out of date

Introduced in notebooks/08_report.py.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import paths
from ..atomic import atomic_write

START, END = "<!-- findings:start -->", "<!-- findings:end -->"


def splice(readme_text: str, block: str) -> str:
    """readme_text with everything between the markers replaced by `block`."""
    if readme_text.count(START) != 1 or readme_text.count(END) != 1 or readme_text.index(START) > readme_text.index(END):
        raise ValueError(f"README needs exactly one {START} ... {END} pair")
    head, rest = readme_text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block.strip()}\n{END}{tail}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m synclr_lib.report.readme", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--readme", type=Path, default=paths.REPO_ROOT / "README.md")
    p.add_argument("--findings", type=Path, default=None, help="default: reports/README_findings.md")
    p.add_argument("--check", action="store_true", help="only report whether README.md is up to date")
    args = p.parse_args(argv)
    findings = args.findings or paths.reports_dir() / "README_findings.md"
    if not findings.is_file():
        print(f"error: {findings} does not exist; run notebooks/08_report.py (make figures) first", file=sys.stderr)
        return 2
    old = args.readme.read_text()
    new = splice(old, findings.read_text())
    if args.check:
        print("README.md is up to date" if new == old else "README.md differs from the REPORT's findings")
        return 0 if new == old else 1
    if new != old:
        atomic_write(args.readme, lambda path: path.write_text(new))
    print(f"{args.readme}: findings from {findings}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Splicing the generated findings block into README.md."""


def test_readme_splice():
    import pytest

    from synclr_lib.report.readme import END, START, splice

    text = f"# R\n\n## What reproduced\n\n{START}\nplaceholder\n{END}\n\n## Next\n"
    out = splice(text, "- **reproduced** — x\n")
    assert out == f"# R\n\n## What reproduced\n\n{START}\n- **reproduced** — x\n{END}\n\n## Next\n"
    assert splice(out, "- y") == f"# R\n\n## What reproduced\n\n{START}\n- y\n{END}\n\n## Next\n"
    with pytest.raises(ValueError):
        splice("# no markers", "x")


def test_the_readme_has_one_findings_block():
    from synclr_lib import paths
    from synclr_lib.report.readme import splice

    text = (paths.REPO_ROOT / "README.md").read_text()
    assert "make test" in text and "make lab" in text
    assert "GENERATED-CHECK" in splice(text, "GENERATED-CHECK")


def test_every_figure_the_readme_and_report_show_is_committed():
    """A clone shows the pictures before anything runs: each PNG that README.md or the mini
    REPORT links is tracked by git (the .gitignore lets exactly those through)."""
    import re
    import subprocess

    from synclr_lib import paths

    tracked = set(subprocess.run(["git", "ls-files", "reports/figures"], cwd=paths.REPO_ROOT, text=True,
                                 capture_output=True, check=True).stdout.split())
    if not tracked:  # not a git checkout (an sdist): nothing to check
        return
    for doc in ("README.md", "reports/REPORT.md"):
        links = re.findall(r"\((?:reports/)?(figures/[\w.-]+\.png)\)", (paths.REPO_ROOT / doc).read_text())
        assert links, doc
        missing = sorted({f"reports/{link}" for link in links} - tracked)
        assert not missing, f"{doc} shows figures a clone does not have: {missing}"

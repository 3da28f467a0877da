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

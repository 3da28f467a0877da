"""Reading the notebooks' tables back (missing -> a line, not an error) and Markdown rendering."""
import pandas as pd

from synclr_lib.reporting import Missing, figure_link, markdown, read_table, value


def test_missing_table_renders_as_a_line(tmp_path):
    t = read_table("04_table5", tmp_path)
    assert isinstance(t, Missing) and not t
    assert markdown(t) == "_missing: tables/04_table5.csv_"


def test_table_roundtrip_and_markdown(tmp_path):
    (tmp_path / "tables").mkdir()
    pd.DataFrame({"encoder": ["A|B", "C"], "score": [1.234, float("nan")]}).to_csv(tmp_path / "tables" / "x.csv", index=False)
    t = read_table("x", tmp_path)
    md = markdown(t, ".2f").splitlines()
    assert md[0] == "| encoder | score |" and md[1] == "|---|---|"
    assert md[2] == "| A\\|B | 1.23 |" and md[3] == "| C |  |"
    assert value(t, "encoder", "A|B", "score") == 1.234
    assert value(t, "encoder", "C", "score") is None and value(t, "encoder", "Z", "score") is None
    assert value(Missing("x"), "encoder", "C", "score") is None


def test_empty_file_is_missing(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "e.csv").write_text("")
    assert isinstance(read_table("e", tmp_path), Missing)


def test_figure_link(tmp_path):
    assert figure_link("07_scaling", tmp_path).startswith("_missing: figures/07_scaling.png")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "07_scaling.png").write_bytes(b"png")
    assert figure_link("07_scaling", tmp_path) == "![07_scaling](figures/07_scaling.png)"

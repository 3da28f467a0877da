"""No library module may change matplotlib's backend: in a notebook kernel that switches the
inline backend off and every later figure of the notebook vanishes (issue 26, notebook 03)."""
import ast
from pathlib import Path

import pandas as pd
import pytest

LIB = Path(__file__).resolve().parent.parent / "synclr_lib"


def _backend_changes(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("use", "switch_backend"):
                owner = ast.unparse(node.func.value)
                if owner in ("matplotlib", "mpl", "plt", "pyplot", "matplotlib.pyplot"):
                    found.append(f"line {node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("rcParams") \
                and "backend" in ast.unparse(node.slice) and isinstance(node.ctx, ast.Store):
            found.append(f"line {node.lineno}: {ast.unparse(node)} = ...")
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(("rcParams.update", "rc")) \
                and "backend" in ast.unparse(node):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_no_library_module_changes_the_backend():
    offenders = {str(p.relative_to(LIB.parent)): hits for p in sorted(LIB.rglob("*.py"))
                 if (hits := _backend_changes(ast.parse(p.read_text(), str(p))))}
    assert not offenders, f"library modules that change the matplotlib backend: {offenders}"


def test_the_scan_finds_a_backend_change():
    src = 'import matplotlib\nmatplotlib.use("Agg")\nimport matplotlib as mpl\nmpl.rcParams["backend"] = "Agg"\n'
    assert len(_backend_changes(ast.parse(src))) == 2


def test_loss_curve_keeps_the_inline_backend(tmp_path):
    pytest.importorskip("matplotlib_inline")
    import matplotlib
    import matplotlib.pyplot as plt

    from synclr_lib.images.pretrain import save_loss_curve

    before = matplotlib.get_backend()
    inline = "module://matplotlib_inline.backend_inline"  # what a Jupyter kernel runs
    plt.switch_backend(inline)
    try:
        save_loss_curve(pd.DataFrame({"step": range(5), "loss": [5, 4, 3, 2, 1.0]}), tmp_path, "test")
        assert matplotlib.get_backend() == inline
    finally:
        plt.switch_backend(before)
    assert (tmp_path / "losses.png").stat().st_size > 0 and (tmp_path / "losses.csv").exists()

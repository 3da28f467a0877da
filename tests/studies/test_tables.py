"""The notebook tables: measured rows beside the paper's, columns named after the analogues."""
import numpy as np
import pandas as pd
import pytest

from synclr_lib.evaluate import paper_numbers as paper
from synclr_lib.studies.comparisons import knn_vs_probe, label, table6, table9
from synclr_lib.studies.strategies import table2


def long_table():
    rows = []
    for enc, base in (("random init", 10.0), ("SynCLR", 50.0)):
        for suite, kind in (("objects", "objects"), ("garments", "fine_grained"), ("multilabel", "fine_grained"),
                            ("segmentation", "dense"), ("digits", "real")):
            rows.append({"encoder": enc, "suite": suite, "kind": kind, "probe": "logistic", "metric": "top1",
                         "score": base})
        rows.append({"encoder": enc, "suite": "objects", "kind": "knn", "probe": "kNN", "metric": "top1",
                     "score": base - 1})
    return pd.DataFrame(rows)


def test_table6_has_measured_then_paper_rows():
    t = table6(long_table(), profile="mini")
    assert t.columns.tolist() == ["encoder", "source", "objects ~ ImageNet", "garments ~ Aircraft",
                                  "multilabel ~ VOC2007", "fine-grained mean", "segmentation ~ ADE20k"]
    assert t["source"].tolist()[:2] == ["measured (mini)"] * 2
    synclr = t.set_index("encoder").loc["SynCLR B/16"]
    assert synclr["objects ~ ImageNet"] == 80.7 and synclr["garments ~ Aircraft"] == 81.7
    assert synclr["segmentation ~ ADE20k"] == 54.3 and synclr["fine-grained mean"] == 89.0
    assert np.isnan(t.set_index("encoder").loc["CLIP B/16", "segmentation ~ ADE20k"])


def test_table9_knn_and_table2():
    assert table9(long_table()).columns.tolist() == ["encoder", "source", "digits ~ MNIST", "real mean"]
    k = knn_vs_probe(long_table())
    assert k["kNN score"].tolist() == [9.0, 49.0]
    by_strategy = long_table().replace({"encoder": {"random init": "template", "SynCLR": "mix"}})
    t2 = table2(by_strategy, "mini").set_index("strategy here")
    assert t2.loc["mix", "objects (mini)"] == 50.0 and np.isnan(t2.loc["c_bg", "objects (mini)"])
    assert t2.loc["mix", "paper SynCLR ImageNet"] == 78.8
    scores = pd.DataFrame({"strategy": ["mix", "alt-text"], "fidelity_object": [0.5, 0.25]})
    t2 = table2(by_strategy, "mini", image_scores=scores).set_index("strategy here")
    assert t2.loc["alt-text", "images: judged object fidelity"] == 25.0
    assert np.isnan(t2.loc["template", "images: judged object fidelity"])
    assert t2.loc["mix", "objects (mini)"] == 50.0


def test_every_analogue_is_a_world_suite():
    world = pytest.importorskip("synclr_lib.world")
    assert set(paper.ANALOGUE) == set(world.suite_names("all"))
    assert label("garments") == "garments ~ Aircraft"

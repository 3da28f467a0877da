"""The weighted kNN probe."""
import numpy as np
import pytest

from synclr_lib.evaluate import knn_probe
from synclr_lib.evaluate.knn import knn_predict


def test_separable_toy_data_reaches_100():
    rng = np.random.default_rng(0)
    directions = np.eye(5)  # 5 orthogonal directions: cosine-separable classes
    y = np.repeat(np.arange(5), 40)
    X = directions[y] + 0.05 * rng.normal(size=(len(y), 5))
    yt = np.repeat(np.arange(5), 10)
    Xt = directions[yt] + 0.05 * rng.normal(size=(len(yt), 5))
    result = knn_probe(X, y, Xt, yt)
    assert result.score == 100.0
    # k = 200 is capped by the memory bank (160 fitting rows while choosing k)
    assert set(result.val_curve["k"]) == {10, 20, 100, 160}


def test_weighted_vote_matches_a_loop_reference():
    rng = np.random.default_rng(1)
    bank, labels = rng.normal(size=(30, 6)), rng.integers(0, 3, 30)
    queries = rng.normal(size=(7, 6))
    preds = knn_predict(bank, labels, queries, ks=(5,), temperature=0.07)
    norm = lambda a: a / np.linalg.norm(a, axis=1, keepdims=True)
    sims = norm(queries) @ norm(bank).T
    for q in range(len(queries)):
        top = np.argsort(-sims[q])[:5]
        votes = np.zeros(3)
        for i in top:
            votes[labels[i]] += np.exp(sims[q, i] / 0.07)
        assert preds[5][q] == votes.argmax()


def test_bad_input_gives_one_clear_error():
    X, y = np.random.default_rng(0).normal(size=(10, 3)), np.tile([0, 1], 5)
    with pytest.raises(ValueError, match="rows but y_train"):
        knn_probe(X, y[:9], X, y)
    with pytest.raises(ValueError, match="single class"):
        knn_probe(X, np.ones(10, int), X, y)
    with pytest.raises(ValueError, match="NaN"):
        knn_probe(X, y, np.full_like(X, np.nan), y)

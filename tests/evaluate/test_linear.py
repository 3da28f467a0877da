"""The parallel-head SGD linear probe (the paper's ImageNet protocol)."""
import numpy as np
import pytest
import torch

from synclr_lib.evaluate import linear_probe
from synclr_lib.evaluate.linear import train_parallel_heads


def blobs(n_per_class=30, n_classes=4, dim=8, spread=0.6, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_classes, dim)) * 3
    y = np.repeat(np.arange(n_classes), n_per_class)
    return (centres[y] + spread * rng.normal(size=(len(y), dim))).astype(np.float32), y


def test_heads_are_independent_of_each_other():
    X, y = blobs()
    both = train_parallel_heads(X, y, 4, lrs=(0.1, 0.5), epochs=3, batch_size=32, seed=0)
    alone = train_parallel_heads(X, y, 4, lrs=(0.1,), epochs=3, batch_size=32, seed=0)
    # head 0 of the two-head run is exactly what a one-head run with its lr computes
    torch.testing.assert_close(both.weight[0], alone.weight[0], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(both.bias[0], alone.bias[0], rtol=1e-5, atol=1e-6)
    assert not torch.allclose(both.weight[0], both.weight[1])


@pytest.mark.parametrize("batchnorm", [True, False])
def test_selects_the_best_head(batchnorm):
    X, y = blobs(seed=1)
    Xt, yt = blobs(n_per_class=10, seed=1)
    # lr 1e-6 leaves its head at its random init: it cannot be the best on val
    result = linear_probe(X, y, Xt, yt, lrs=(1e-6, 0.1, 1.0), epochs=20, batch_size=32,
                          batchnorm=batchnorm)
    val = result.val_curve["val_top1"].to_numpy()
    assert result.extra["best_head"] == int(np.argmax(val)) != 0
    assert result.score == result.extra["test_by_lr"][result.extra["best_head"]]
    assert result.score == 100.0


def test_bad_input_gives_one_clear_error():
    X, y = blobs()
    with pytest.raises(ValueError, match="X_train has 120 rows but y_train has 119"):
        linear_probe(X, y[:-1], X, y)
    with pytest.raises(ValueError, match="single class"):
        linear_probe(X, np.zeros_like(y), X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        linear_probe(X_nan, y, X, y)

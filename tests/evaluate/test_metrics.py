"""Metrics against values computed by hand on small crafted inputs."""
import numpy as np
import pytest

from synclr_lib.evaluate import metrics


def test_top1_and_mean_per_class_by_hand():
    y_true = [0, 0, 0, 0, 1, 1]
    y_pred = [0, 0, 0, 1, 0, 0]
    assert metrics.top1(y_true, y_pred) == pytest.approx(50.0)
    # class 0: 3/4 right, class 1: 0/2 right -> mean (0.75 + 0) / 2
    assert metrics.mean_per_class(y_true, y_pred) == pytest.approx(37.5)


def test_mean_per_class_ignores_classes_absent_from_truth():
    # class 2 is only predicted, never true: it does not enter the mean
    assert metrics.mean_per_class([0, 1, 1], [0, 1, 2]) == pytest.approx((1.0 + 0.5) / 2 * 100)


def test_map11_by_hand():
    y = np.array([[1, 0], [0, 1], [1, 0], [0, 1]])
    s = np.array([[0.9, 0.1], [0.8, 0.9], [0.7, 0.2], [0.1, 0.8]])
    # class 0: ranking TP, FP, TP, FP -> precision 1, .5, 2/3, .5 at recall .5, .5, 1, 1
    # recall levels 0..0.5 (6 points) reach precision 1, 0.6..1.0 (5 points) reach 2/3
    ap0 = (6 * 1.0 + 5 * 2 / 3) / 11
    ap1 = 1.0  # both positives ranked first
    assert metrics.average_precision_11point(y[:, 0], s[:, 0]) == pytest.approx(ap0)
    assert metrics.map11(y, s) == pytest.approx(100 * (ap0 + ap1) / 2)


def test_map11_skips_classes_without_positives_and_checks_shapes():
    y = np.array([[1, 0], [0, 0]])
    s = np.array([[0.9, 0.3], [0.1, 0.2]])
    assert metrics.map11(y, s) == pytest.approx(100.0)
    with pytest.raises(ValueError, match="same shape"):
        metrics.map11(y, s[:, :1])


def test_miou_by_hand_and_perfect():
    truth = np.array([[0, 0], [1, 1]])
    pred = np.array([[0, 1], [1, 1]])
    # class 0: inter 1 / union 2; class 1: inter 2 / union 3
    assert metrics.miou(truth, pred) == pytest.approx(100 * (0.5 + 2 / 3) / 2)
    masks = np.random.default_rng(0).integers(0, 5, (3, 8, 8))
    assert metrics.miou(masks, masks) == pytest.approx(100.0)


def test_miou_ignores_negative_truth():
    truth = np.array([0, -1, 1])
    pred = np.array([0, 0, 1])
    assert metrics.miou(truth, pred) == pytest.approx(100.0)


def test_unknown_metric_is_one_clear_error():
    with pytest.raises(ValueError, match="unknown metric 'top5'"):
        metrics.score("top5", [0], [0])

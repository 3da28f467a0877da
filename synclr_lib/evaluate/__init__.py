"""Evaluation (paper Sec. 4): frozen features, the logistic probe (fine-grained protocol),
the parallel-head SGD linear probe (ImageNet protocol), kNN, the dense probe (ADE20k
analogue), PCA of patch features (Fig. 5) and the paper's numbers.

    from synclr_lib.evaluate import logistic_probe, evaluate_encoder
    logistic_probe(X_train, y_train, X_test, y_test, metric="top1").score

Introduced in notebooks/05_evaluation.py (and 06_pca_patches.py for PCA).
"""
from .dense import dense_probe, patch_labels
from .features import (Features, PixelEncoder, encoder_fingerprint, extract_features, load_encoder,
                       random_init_encoder)
from .knn import knn_probe
from .linear import linear_probe
from .logistic import ProbeResult, logistic_probe
from .metrics import map11, mean_per_class, miou, top1
from .pca import patch_pca, pca_figure
from .suites import evaluate_encoder, evaluate_encoders, wide_table

__all__ = ["Features", "PixelEncoder", "ProbeResult", "dense_probe", "encoder_fingerprint",
           "evaluate_encoder", "evaluate_encoders", "extract_features", "knn_probe", "linear_probe",
           "load_encoder", "logistic_probe", "map11", "mean_per_class", "miou", "patch_labels",
           "patch_pca", "pca_figure", "random_init_encoder", "top1", "wide_table"]

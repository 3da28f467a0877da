"""evaluate_encoder on a tiny fake world with the documented `load_suite` interface."""
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from synclr_lib.config import resolve
from synclr_lib.evaluate import PixelEncoder, evaluate_encoder, evaluate_encoders, wide_table
from synclr_lib.evaluate import suites as suites_module


@dataclass
class FakeSuite:  # the fields of synclr_lib.world's Suite that evaluation reads
    images: np.ndarray
    labels: np.ndarray
    class_names: list
    metric: str
    masks: np.ndarray | None = None
    description: str = ""


PALETTE = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]], np.uint8)


def fake_suite(name, split):
    seed = {"train": 0, "val": 1, "test": 2}[split] + 10 * len(name)
    rng = np.random.default_rng(seed)
    n = {"train": 24, "val": 8, "test": 12}[split]
    labels = np.arange(n) % 4
    images = rng.integers(0, 40, (n, 8, 8, 3)).astype(np.uint8)
    masks = np.zeros((n, 8, 8), np.int16)
    for i, c in enumerate(labels):  # a coloured 4x4 block whose colour is the class
        r, q = rng.integers(0, 2, 2) * 4 if name == "segmentation" else (0, 4)
        images[i, r:r + 4, q:q + 4] = PALETTE[c]
        masks[i, r:r + 4, q:q + 4] = c + 1
    if name == "multi":
        return FakeSuite(images, np.stack([labels % 2, labels >= 2], 1).astype(np.int64), ["odd", "big"], "map11")
    if name == "segmentation":
        return FakeSuite(images, labels, ["background", "r", "g", "b", "y"], "miou", masks=masks)
    metric = "mean_per_class" if name == "colours" else "top1"
    return FakeSuite(images, labels, ["r", "g", "b", "y"], metric)


KINDS = {"objects": ["objects"], "fine_grained": ["colours", "multi"], "dense": ["segmentation"],
         "real": ["real_blocks"]}


def loader(name, cfg, split):
    if name == "real_blocks" and split == "val":
        raise KeyError("no val split")  # the probe then holds out 20 % of train
    return fake_suite(name, split)


def names_fn(kind="all"):
    return [n for k, names in KINDS.items() if kind in ("all", k) for n in names]


@pytest.fixture
def cfg():
    return resolve("smoke")


def test_every_suite_gets_one_row_with_its_probe_and_metric(cfg):
    table = evaluate_encoder(PixelEncoder(patch_size=4), cfg, loader=loader, names_fn=names_fn,
                             progress=False)
    assert table["suite"].tolist() == ["objects", "colours", "multi", "segmentation", "real_blocks"]
    assert table["probe"].tolist() == ["linear SGD", "logistic", "logistic", "dense linear", "logistic"]
    assert table["metric"].tolist() == ["top1", "mean_per_class", "map11", "miou", "top1"]
    assert table["score"].between(0, 100).all()
    # the coloured block is visible in raw pixels: the classification suites are easy
    assert (table.set_index("suite").loc[["colours", "real_blocks"], "score"] > 90).all()
    assert table.loc[table.probe == "logistic", "C"].notna().all()


def test_results_are_cached(cfg, monkeypatch):
    encoder = PixelEncoder(patch_size=4)
    first = evaluate_encoder(encoder, cfg, ["colours"], loader=loader, names_fn=names_fn, progress=False)

    def must_not_run(*args, **kwargs):
        raise AssertionError("probe ran again although nothing changed")

    monkeypatch.setattr(suites_module, "probe_suite", must_not_run)
    again = evaluate_encoder(encoder, cfg, ["colours"], loader=loader, names_fn=names_fn, progress=False)
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(AssertionError, match="ran again"):  # a config change re-probes
        evaluate_encoder(encoder, resolve("smoke", ["eval.probe_c_values=3"]), ["colours"],
                         loader=loader, names_fn=names_fn, progress=False)


def test_knn_rows_and_wide_table(cfg):
    long = evaluate_encoders([("pixels", PixelEncoder(4)), ("pixels p2", PixelEncoder(2))], cfg,
                             ["objects", "colours", "multi", "segmentation"], knn=True,
                             loader=loader, names_fn=names_fn, progress=False)
    assert (long["probe"] == "kNN").sum() == 2 * 2  # objects and colours; not multi-label, not dense
    wide = wide_table(long)
    assert wide.columns.tolist() == ["encoder", "objects", "colours", "multi", "fine-grained mean",
                                     "segmentation"]
    assert wide["encoder"].tolist() == ["pixels", "pixels p2"]
    row = wide.iloc[0]
    assert row["fine-grained mean"] == pytest.approx((row["colours"] + row["multi"]) / 2)


def test_unknown_suite_is_one_clear_error(cfg):
    with pytest.raises(ValueError, match="unknown suite.*valid suites: objects"):
        evaluate_encoder(PixelEncoder(), cfg, ["imagenet"], loader=loader, names_fn=names_fn)


class NaNEncoder(PixelEncoder):
    """A "diverged" encoder: every feature is NaN."""

    def fingerprint(self):
        return "nan-encoder"

    def encode_tokens(self, x):
        cls, patches = super().encode_tokens(x)
        return cls * float("nan"), patches * float("nan")


def test_nan_features_name_the_suite(cfg):
    with pytest.raises(ValueError, match="suite 'colours': X_train contains NaN"):
        evaluate_encoder(NaNEncoder(), cfg, ["colours"], loader=loader, names_fn=names_fn, progress=False)


def test_comparison_suites_default_and_override():
    from synclr_lib.evaluate.suites import comparison_suites, suite_kinds

    kinds = suite_kinds(resolve("mini"))
    default = comparison_suites(resolve("mini"))
    assert "objects" in default and {kinds[s] for s in default} == {"objects", "fine_grained"}
    assert comparison_suites(resolve("smoke", ["study.compare_suites=objects, colours"])) == ["objects", "colours"]


def test_one_progress_bar_without_cursor_codes(cfg, capsys, monkeypatch):
    """A bar nested in the suite bar (features, or the suites stage rendered on first use) left
    cursor-up codes in notebook text (issue 26)."""
    from tqdm.auto import tqdm

    built = []

    def building_loader(name, cfg, split):  # the first load builds the suites stage, with a bar
        if not built:
            built.extend(tqdm(range(3), desc="rendering suites"))
        return loader(name, cfg, split)

    monkeypatch.setenv("SYNCLR_TEXT_PROGRESS", "1")  # the text bars of a headless run
    evaluate_encoder(PixelEncoder(patch_size=4), cfg, ["colours", "objects"], loader=building_loader,
                     names_fn=names_fn, use_cache=False)
    err = capsys.readouterr().err
    assert "evaluating" in err and "rendering suites" in err
    assert "\x1b[A" not in err and "features" not in err

"""The paper's numbers (arXiv 2312.17742), typed once, so notebooks and the generated report
print measured mini-scale results beside them. Source: the paper's tables (numbered
as there). Where the paper gives no number (e.g. Table 9's per-dataset scores) none is
invented here.

    from synclr_lib.evaluate import paper_numbers as paper
    paper.table6()        # DataFrame: model, ImageNet, fine-grained mean
    paper.SYNCLR_B16_FINE_GRAINED["Aircraft"]

Introduced in notebooks/05_evaluation.py.
"""
from __future__ import annotations

import pandas as pd

# The 9 fine-grained datasets (Sec. 4) and their metric.
FINE_GRAINED_METRICS = {
    "Aircraft": "mean_per_class",
    "Cars": "top1",
    "DTD": "top1",
    "Flowers": "mean_per_class",
    "Pets": "mean_per_class",
    "SUN397": "top1",
    "Caltech-101": "mean_per_class",
    "Food-101": "top1",
    "VOC2007": "map11",
}

# Table 6: ImageNet linear probe / fine-grained average over the 9 datasets.
TABLE6 = {
    "StableRep B/16": (75.7, 83.4),
    "CLIP B/16": (80.2, 85.7),
    "CLIP L/14": (83.9, 88.9),
    "OpenCLIP L/14 (2B)": (83.4, 89.8),
    "DINOv2 B/14": (83.9, 89.0),
    "DINOv2 L/14": (85.7, 90.1),
    "SynCLR B/16": (80.7, 89.0),
    "SynCLR L/14": (83.0, 90.4),
}
# Table 6, SynCLR B/16 per fine-grained dataset.
SYNCLR_B16_FINE_GRAINED = {
    "Aircraft": 81.7, "Cars": 93.8, "DTD": 79.9, "Flowers": 99.1, "Pets": 93.6,
    "SUN397": 76.2, "Caltech-101": 95.3, "Food-101": 91.6, "VOC2007": 89.4,
}

# Table 2: caption strategies, 10M captions x 4 images: (ImageNet, fine-grained) per method.
TABLE2 = {
    "cc12m (real captions)": {"StableRep": (73.0, 81.6), "SynCLR": (77.1, 85.3)},
    "IN + hypernyms + Places (templates)": {"StableRep": (75.4, 80.0), "SynCLR": (78.7, 83.0)},
    "IN + Places + LLM": {"StableRep": (73.7, 76.9), "SynCLR": (77.6, 81.8)},
    "IN + GPT-4 backgrounds + LLM": {"StableRep": (75.3, 78.5), "SynCLR": (78.2, 81.9)},
    "final config (all concepts, 3 templates)": {"StableRep": (75.8, 85.7), "SynCLR": (78.8, 88.1)},
}

# Table 3: CFG scale -> ImageNet linear.
TABLE3 = {2.0: 72.8, 3.0: 72.6, 4.0: 72.6}

# Table 4: components -> (ImageNet, fine-grained, ADE20k mIoU or None).
TABLE4 = {
    "StableRep": (75.8, 85.7, None),
    "+EMA": (76.7, 86.7, 48.0),
    "+EMA+iBOT": (77.6, 87.1, 50.5),
    "+EMA+multi-crop": (78.6, 87.8, 49.5),
    "SynCLR (all)": (78.8, 88.1, 50.8),
}

# Table 5: objective on the same synthetic data -> (ImageNet, fine-grained).
TABLE5 = {"supervised CE": (71.9, 75.0), "SimCLR": (63.6, 67.9), "SynCLR": (75.3, 78.5)}

# Table 7: ADE20k mIoU (UperNet) -> (ViT-B, ViT-L).
TABLE7 = {"SynCLR": (54.3, 57.7), "DINOv2": (54.4, 57.5), "MAE": (48.1, 53.6)}

# Table 9: the "unseen concepts" datasets (the notes list them without per-dataset numbers).
TABLE9_DATASETS = ("EuroSAT", "GTSRB", "Country211", "MNIST", "RESISC45", "KITTI")

# Table 10: CLIP trained on the same synthetic data -> (ImageNet, fine-grained).
TABLE10 = {"SynCLR": (80.7, 89.0), "CLIP": (78.3, 87.7)}

# Figures 6-7: number of captions -> ImageNet linear (and fine-grained for ViT-B).
FIG6_CAPTIONS = ("1M", "3M", "10M", "40M", "150M")
FIG6_VITB_IMAGENET = (73.9, 78.7, 79.7, 79.8, 80.0)
FIG7_VITB_FINE_GRAINED = (84.7, 88.1, 88.7, 88.8, 88.7)
FIG6_VITL_IMAGENET = {"3M": 77.3, "10M": 81.1, "40M": 82.4, "150M": 82.4}


def table6() -> pd.DataFrame:
    return pd.DataFrame([{"model": k, "ImageNet": v[0], "fine-grained mean": v[1]} for k, v in TABLE6.items()])


def table6_synclr_per_dataset() -> pd.DataFrame:
    row = {"model": "SynCLR B/16", **SYNCLR_B16_FINE_GRAINED}
    row["mean"] = round(sum(SYNCLR_B16_FINE_GRAINED.values()) / len(SYNCLR_B16_FINE_GRAINED), 1)
    return pd.DataFrame([row])


def table2() -> pd.DataFrame:
    rows = []
    for captions, by_method in TABLE2.items():
        row = {"captions": captions}
        for method, (imagenet, fine) in by_method.items():
            row[f"{method} ImageNet"], row[f"{method} fine-grained"] = imagenet, fine
        rows.append(row)
    return pd.DataFrame(rows)


def table7() -> pd.DataFrame:
    return pd.DataFrame([{"model": k, "ViT-B": v[0], "ViT-L": v[1]} for k, v in TABLE7.items()])


# Which paper dataset each world suite stands in for (from the suite descriptions in
# synclr_lib/world/suites.py; tests/evaluate/test_tables.py checks the names exist there).
ANALOGUE = {
    "objects": "ImageNet",
    "garments": "Aircraft",
    "glyphs": "Cars",
    "textures": "DTD",
    "colours": "Flowers",
    "relations": "Pets",
    "scenes": "SUN397",
    "shapes": "Caltech-101",
    "counts": "Food-101",
    "multilabel": "VOC2007",
    "segmentation": "ADE20k",
    "fashion_mnist": "unseen domain",
    "digits": "MNIST",
    "real_textures": "EuroSAT / RESISC45",
    "faces": "unseen concept",
}

# Table 2 rows and the caption strategy (`captions.strategy`, or the mini-web's alt-text for
# the real-caption row) that stands in for each of them here.
TABLE2_STRATEGY = {
    "alt-text": "cc12m (real captions)",
    "template": "IN + hypernyms + Places (templates)",
    "c_bg_random": "IN + Places + LLM",
    "c_bg": "IN + GPT-4 backgrounds + LLM",
    "mix": "final config (all concepts, 3 templates)",
}

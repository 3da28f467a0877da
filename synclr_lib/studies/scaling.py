"""Figs. 6-7: scaling the number of captions. SynCLR on the first N captions of the images
stage, for a few caption counts and two encoder sizes, every run at the comparison budget;
the findings: more captions help each size, and at the most captions the larger encoder
beats the smaller.

    counts = caption_counts(cfg, multiples=(1, 3, 10))          # e.g. [1000, 3000, 10000] at mini
    runs = scaling_runs(cfg, counts, sizes=encoder_sizes(cfg))    # {(size, n): overrides}
    path = train_variant(cfg, runs[("small", 1000)])
    text, findings = section(t, spreads, reports)       # the REPORT's Figs. 6-7 section

A subset is a synthetic-image directory (images/shards.py format) holding the first N
captions of the images stage with all their images, cached under
artifacts/caption_subset/<hash>/ (the hash covers the images stage's payload and N) and
passed to training as `train.data_dir`. The count equal to the whole images stage trains on
the images stage itself, so that point at the profile's encoder size *is* the Table 4
"SynCLR" row (one cached run, not two).

Introduced in notebooks/07_scaling.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..cache import cached
from ..evaluate import paper_numbers as paper
from ..reporting import Missing, figure_link, value
from ..train.runs import ablation
from .runs import SYNCLR
from .sections import FG, OBJ, findings_block, measured_block, paper_block
from .verdicts import NOT_MEASURED, Finding, ordering_finding

TABLES = ("07_scaling",)


def images_stage_captions(cfg) -> int:
    """How many captions the images stage holds for this config (building it if needed)."""
    from ..stages import run_stage

    return int(json.loads((run_stage("images", cfg) / "index.json").read_text())["num_captions"])


def caption_counts(cfg, multiples=(1, 3, 10), base: int = 0, total: int | None = None) -> list[int]:
    """Caption counts base x multiple, capped at the images stage's captions.

    `base` 0 means total // max(multiples), raised to `train.captions_per_batch` (a batch needs
    that many distinct captions). Duplicates after capping are dropped; ascending order."""
    total = images_stage_captions(cfg) if total is None else int(total)
    if not multiples or min(multiples) <= 0:
        raise ValueError(f"caption multiples must be positive, got {multiples!r}")
    base = base or max(cfg.train.captions_per_batch, total // max(multiples))
    counts = sorted({min(total, int(round(m * base))) for m in multiples})
    if counts[0] < cfg.train.captions_per_batch:
        raise ValueError(f"{counts[0]} captions is fewer than train.captions_per_batch="
                         f"{cfg.train.captions_per_batch}; raise the base count")
    return counts


def encoder_sizes(cfg, small_width: int = 0, small_depth: int = 0) -> dict[str, list[str]]:
    """{size name: train overrides}: the profile's ViT and a smaller one (default half the
    width and half the depth; heads kept when they divide the width, else 1)."""
    t = cfg.train
    width = small_width or max(t.heads, t.width // 2)
    depth = small_depth or max(1, t.depth // 2)
    heads = t.heads if width % t.heads == 0 else 1
    return {
        f"small (w{width} d{depth})": [f"train.width={width}", f"train.depth={depth}", f"train.heads={heads}"],
        f"profile (w{t.width} d{t.depth})": [],
    }


def caption_subset(cfg, n_captions: int) -> Path:
    """A cached synthetic-image directory with the first `n_captions` captions of the images
    stage and all their images (shards of the same layout)."""
    from ..images.shards import (read_shard, shard_ranges, verify_image_dirs, write_captions, write_index,
                                 write_shard)
    from ..stages import full_payload, run_stage

    source = run_stage("images", cfg)
    index = json.loads((source / "index.json").read_text())
    if not 0 < n_captions <= index["num_captions"]:
        raise ValueError(f"a subset needs 1..{index['num_captions']} captions, got {n_captions}")

    def build(out: Path) -> dict:
        rows = [json.loads(line) for line in (source / "captions.jsonl").read_text().splitlines() if line.strip()]
        per_shard = index["captions_per_shard"]
        for k, (start, stop) in enumerate(shard_ranges(n_captions, per_shard)):
            _, images = read_shard(source / "shards", k)
            write_shard(out / "shards", k, start, images[: stop - start])
        write_captions(out, [{k: v for k, v in r.items() if k != "caption_id"} for r in rows[:n_captions]])
        extra = {k: v for k, v in index.items()
                 if k not in ("num_captions", "images_per_caption", "image_size", "captions_per_shard", "num_shards")}
        write_index(out, num_captions=n_captions, images_per_caption=index["images_per_caption"],
                    image_size=index["image_size"], captions_per_shard=per_shard,
                    extra={**extra, "subset_of": source.name, "subset_captions": n_captions})
        return {"captions": n_captions, "source": str(source)}

    return cached("caption_subset", {"images": full_payload("images", cfg), "n_captions": int(n_captions)}, build,
                  verify=verify_image_dirs)


def scaling_runs(cfg, counts, sizes: dict[str, list[str]] | None = None, total: int | None = None
                 ) -> dict[tuple[str, int], list[str]]:
    """{(size name, captions): overrides} of every scaling run: SynCLR (all components) at the
    comparison budget (`study.ablation_steps`), on a caption subset (built here) or, for the
    whole set, on the images stage."""
    sizes = encoder_sizes(cfg) if sizes is None else sizes
    total = images_stage_captions(cfg) if total is None else total
    runs = {}
    for n in counts:
        data = [] if n >= total else [f"train.data_dir={caption_subset(cfg, n)}"]
        for size, size_overrides in sizes.items():
            runs[(size, n)] = ablation(SYNCLR + size_overrides + data, cfg)
    return runs


def scaling_table(long: pd.DataFrame, runs: dict, images_per_caption: int) -> pd.DataFrame:
    """One row per scaling run (07_scaling): size, captions, images, objects, fine-grained
    mean, artifact. `runs` = {(size, captions): (encoder name in `long`, train artifact)}."""
    from ..evaluate.suites import wide_table

    wide = wide_table(long, kinds=("objects", "fine_grained")).set_index("encoder")
    return pd.DataFrame([{"size": s, "captions": n, "images": n * images_per_caption,
                          OBJ: wide.loc[name, OBJ], FG: wide.loc[name, FG], "artifact": Path(path).name}
                         for (s, n), (name, path) in runs.items()])


def paper_scaling():
    """The paper's Figs. 6-7 points from paper_numbers.py as a long DataFrame: captions (a
    number), curve (ViT-B ImageNet / ViT-B fine-grained / ViT-L ImageNet), value."""
    def count(label: str) -> float:
        units = {"K": 1e3, "M": 1e6, "B": 1e9}
        return float(label[:-1]) * units[label[-1]] if label[-1] in units else float(label)

    rows = [{"captions": count(c), "curve": "ViT-B/16 ImageNet (Fig. 6)", "value": v}
            for c, v in zip(paper.FIG6_CAPTIONS, paper.FIG6_VITB_IMAGENET)]
    rows += [{"captions": count(c), "curve": "ViT-L/14 ImageNet (Fig. 6)", "value": v}
             for c, v in paper.FIG6_VITL_IMAGENET.items()]
    rows += [{"captions": count(c), "curve": "ViT-B/16 fine-grained (Fig. 7)", "value": v}
             for c, v in zip(paper.FIG6_CAPTIONS, paper.FIG7_VITB_FINE_GRAINED)]
    return pd.DataFrame(rows)


def findings(t: dict, spreads: dict) -> list[Finding]:
    tab = t["07_scaling"]
    b0, b1 = paper.FIG6_VITB_IMAGENET[0], paper.FIG6_VITB_IMAGENET[-1]
    f0, f1 = paper.FIG7_VITB_FINE_GRAINED[0], paper.FIG7_VITB_FINE_GRAINED[-1]
    c0, c1 = paper.FIG6_CAPTIONS[0], paper.FIG6_CAPTIONS[-1]
    if isinstance(tab, Missing):
        return [Finding("Figs. 6-7", "more captions help", NOT_MEASURED, str(tab))]
    out = []
    for size, rows in tab.groupby("size", sort=False):
        rows = rows.sort_values("captions")
        lo, hi = rows.iloc[0], rows.iloc[-1]
        for metric, ptxt in ((OBJ, f"ViT-B ImageNet {b0} at {c0} -> {b1} at {c1}"),
                             (FG, f"ViT-B fine-grained {f0} at {c0} -> {f1} at {c1}")):
            a, b = f"{int(hi['captions'])} captions", f"{int(lo['captions'])} captions"
            out.append(ordering_finding("Figs. 6-7", f"{size}: more captions help on {metric}",
                                        {a: hi[metric], b: lo[metric]}, [a, b], spreads.get(metric), paper=ptxt))
    top = tab[tab["captions"] == tab["captions"].max()]
    if len(top) >= 2:
        # the larger encoder: the size whose label is not "small ..." (encoder_sizes names)
        big = next((s for s in top["size"] if not str(s).startswith("small")), top["size"].iloc[-1])
        small = next((s for s in top["size"] if s != big), top["size"].iloc[0])
        vitl = list(paper.FIG6_VITL_IMAGENET.items())[-1]
        vitb = dict(zip(paper.FIG6_CAPTIONS, paper.FIG6_VITB_IMAGENET)).get(vitl[0], float("nan"))
        for metric in (OBJ, FG):
            ptxt = f"ImageNet at {vitl[0]}: ViT-L {vitl[1]} vs ViT-B {vitb}" + (
                "" if metric == OBJ else " (the paper gives no ViT-L fine-grained curve)")
            vals = {big: value(top, "size", big, metric), small: value(top, "size", small, metric)}
            out.append(ordering_finding(
                "Figs. 6-7", f"at the most captions the larger encoder beats the smaller on {metric}", vals,
                [big, small], spreads.get(metric), paper=ptxt))
    return out


def section(t: dict, spreads: dict, reports: Path | None = None) -> tuple[str, list[Finding]]:
    tab = t["07_scaling"]
    fs = findings(t, spreads)
    ptab = paper_scaling().pivot_table(index="captions", columns="curve", values="value", sort=False).reset_index()
    ptab["captions"] = [f"{c / 1e6:g}M" for c in ptab["captions"]]
    body = ["## Figs. 6-7: scaling the number of captions", "", paper_block(ptab), "",
            measured_block("07_scaling", tab if isinstance(tab, Missing) else tab.drop(columns=["artifact"], errors="ignore")),
            "", figure_link("07_scaling", reports, "Figs. 6-7 analogue"), "", "Findings:", "", findings_block(fs)]
    return "\n".join(body), fs

"""The synthetic image dataset on disk: numpy shards of whole captions, plus an index.

    <root>/captions.jsonl            one row per caption: caption_id, caption, concept, ...
    <root>/shards/shard-00000.npy    uint8 [captions_in_shard, images_per_caption, H, W, 3]
    <root>/shards/shard-00000.json   written after the .npy: first caption, count, sha256
    <root>/index.json                written last: sizes and the shard layout

Shard k holds captions [k*C, (k+1)*C) with all their images, caption-major. A shard counts
as finished only when its .json sits beside an .npy of the recorded size (both are renamed
into place atomically, the .json last), so a killed writer leaves nothing that looks done,
and a reader names the shard that is truncated or corrupt. `np.save` is deterministic, so a
resumed run produces byte-identical shards.

Introduced in notebooks/03_images_cfg.py; read by training (notebooks/04_training.py).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic import atomic_write


class ShardError(RuntimeError):
    """A missing, truncated or corrupt shard or index (the message names the file)."""


def shard_ranges(num_captions: int, captions_per_shard: int) -> list[tuple[int, int]]:
    """[(start, stop)] caption ranges of every shard."""
    if captions_per_shard < 1:
        raise ValueError("captions_per_shard must be >= 1")
    return [(s, min(s + captions_per_shard, num_captions)) for s in range(0, num_captions, captions_per_shard)]


def shard_name(k: int) -> str:
    return f"shard-{k:05d}"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()



def write_shard(shard_dir: Path, k: int, first_caption: int, images: np.ndarray) -> Path:
    """Write shard k (uint8 [n_captions, K, H, W, 3]) atomically; returns the .npy path."""
    images = np.ascontiguousarray(images, dtype=np.uint8)
    if images.ndim != 5 or images.shape[-1] != 3:
        raise ValueError(f"shard images must be [captions, K, H, W, 3], got {images.shape}")
    shard_dir = Path(shard_dir)
    shard_dir.mkdir(parents=True, exist_ok=True)
    npy = shard_dir / f"{shard_name(k)}.npy"
    atomic_write(npy, lambda p: np.save(open(p, "wb"), images, allow_pickle=False))
    meta = {"shard": k, "first_caption": int(first_caption), "num_captions": int(images.shape[0]),
            "images_per_caption": int(images.shape[1]), "shape": list(images.shape),
            "bytes": npy.stat().st_size, "sha256": _sha256(npy)}
    atomic_write(shard_dir / f"{shard_name(k)}.json", lambda p: p.write_text(json.dumps(meta)))
    return npy


def shard_is_complete(shard_dir: Path, k: int) -> bool:
    """True when shard k's marker exists and its .npy has the recorded size (cheap check)."""
    meta_path = Path(shard_dir) / f"{shard_name(k)}.json"
    npy = meta_path.with_suffix(".npy")
    if not meta_path.is_file() or not npy.is_file():
        return False
    try:
        return json.loads(meta_path.read_text())["bytes"] == npy.stat().st_size
    except (ValueError, KeyError):
        return False


def read_shard(shard_dir: Path, k: int, *, verify: bool = True) -> tuple[dict, np.ndarray]:
    """(meta, images) of shard k; raises ShardError naming the file if it is bad."""
    meta_path = Path(shard_dir) / f"{shard_name(k)}.json"
    npy = meta_path.with_suffix(".npy")
    if not meta_path.is_file():
        raise ShardError(f"shard {npy} is unfinished or missing (no {meta_path.name})")
    try:
        meta = json.loads(meta_path.read_text())
    except ValueError as err:
        raise ShardError(f"shard marker {meta_path} is corrupt: {err}") from None
    if not npy.is_file():
        raise ShardError(f"shard {npy} is missing")
    if npy.stat().st_size != meta["bytes"]:
        raise ShardError(f"shard {npy} is truncated: {npy.stat().st_size} bytes, expected {meta['bytes']}")
    if verify and _sha256(npy) != meta["sha256"]:
        raise ShardError(f"shard {npy} is corrupt: sha256 does not match {meta_path.name}")
    try:
        images = np.load(npy, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise ShardError(f"shard {npy} cannot be read: {err}") from None
    if list(images.shape) != meta["shape"]:
        raise ShardError(f"shard {npy} has shape {images.shape}, expected {meta['shape']}")
    return meta, images


def write_captions(root: Path, rows: list[dict]) -> Path:
    """captions.jsonl: one JSON row per caption, caption_id = row position."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    path = root / "captions.jsonl"
    text = "".join(json.dumps({"caption_id": i, **r}) + "\n" for i, r in enumerate(rows))
    atomic_write(path, lambda p: p.write_text(text))
    return path


def write_index(root: Path, *, num_captions: int, images_per_caption: int, image_size: int,
                captions_per_shard: int, extra: dict | None = None) -> Path:
    path = Path(root) / "index.json"
    index = {"num_captions": num_captions, "images_per_caption": images_per_caption,
             "image_size": image_size, "captions_per_shard": captions_per_shard,
             "num_shards": len(shard_ranges(num_captions, captions_per_shard)), **(extra or {})}
    atomic_write(path, lambda p: p.write_text(json.dumps(index, indent=2)))
    return path


@dataclass
class SyntheticImages:
    """All images of a synthetic dataset in memory (mini scale: tens of MB).

    images [N, H, W, 3] uint8, caption_ids [N] (which caption drew image n), image_index [N]
    (j: which of the caption's images), captions: the caption rows (dicts) by caption id.
    """
    root: Path
    images: np.ndarray
    caption_ids: np.ndarray
    image_index: np.ndarray
    captions: list[dict]
    index: dict

    @property
    def images_per_caption(self) -> int:
        return int(self.index["images_per_caption"])

    def __len__(self) -> int:
        return len(self.images)


def load_synthetic_images(root: Path, *, verify: bool = True) -> SyntheticImages:
    """Read a finished dataset; raises ShardError naming the bad or missing file."""
    root = Path(root)
    index_path = root / "index.json"
    if not root.is_dir():
        raise ShardError(f"synthetic image directory {root} does not exist")
    if not index_path.is_file():
        raise ShardError(f"{root} has no index.json: not a finished synthetic image dataset")
    index = json.loads(index_path.read_text())
    cap_path = root / "captions.jsonl"
    if not cap_path.is_file():
        raise ShardError(f"{cap_path} is missing")
    captions = [json.loads(line) for line in cap_path.read_text().splitlines() if line.strip()]
    if len(captions) != index["num_captions"]:
        raise ShardError(f"{cap_path} has {len(captions)} captions, index.json says {index['num_captions']}")
    if not captions:
        raise ShardError(f"{root} holds no captions")
    parts = []
    for k, (start, stop) in enumerate(shard_ranges(index["num_captions"], index["captions_per_shard"])):
        meta, imgs = read_shard(root / "shards", k, verify=verify)
        if (meta["first_caption"], meta["num_captions"]) != (start, stop - start):
            raise ShardError(f"shard {shard_name(k)} covers the wrong captions: {meta['first_caption']}+{meta['num_captions']}")
        parts.append(imgs)
    stacked = np.concatenate(parts)  # [captions, K, H, W, 3]
    n_caps, per = stacked.shape[:2]
    return SyntheticImages(root=root, images=stacked.reshape(n_caps * per, *stacked.shape[2:]),
                           caption_ids=np.repeat(np.arange(n_caps), per),
                           image_index=np.tile(np.arange(per), n_caps), captions=captions, index=index)


def verify_dataset(root: Path) -> dict[str, str]:
    """{file relative to root: what is wrong} of a finished synthetic-image directory, {} when
    intact: index.json, captions.jsonl and every shard's marker, size and sha256 (no image
    is decoded). Deleting the named files leaves a directory a resumed generation completes."""
    root = Path(root)
    try:
        index = json.loads((root / "index.json").read_text())
        layout = shard_ranges(index["num_captions"], index["captions_per_shard"])
    except FileNotFoundError:
        return {"index.json": "missing"}
    except (ValueError, KeyError, TypeError) as err:
        return {"index.json": f"unreadable ({err})"}
    problems = {}
    try:
        n = sum(1 for line in (root / "captions.jsonl").read_text().splitlines() if line.strip())
        if n != index["num_captions"]:
            problems["captions.jsonl"] = f"{n} captions, index.json says {index['num_captions']}"
    except FileNotFoundError:
        problems["captions.jsonl"] = "missing"
    for k, (start, stop) in enumerate(layout):
        npy, marker = f"shards/{shard_name(k)}.npy", f"shards/{shard_name(k)}.json"
        try:
            meta = json.loads((root / marker).read_text())
            recorded = (meta["first_caption"], meta["num_captions"], meta["bytes"], meta["sha256"])
        except FileNotFoundError:
            problems[marker] = "missing"
            continue
        except (ValueError, KeyError) as err:
            problems[marker] = f"unreadable ({err})"
            continue
        if recorded[:2] != (start, stop - start):
            problems[marker] = f"covers captions {recorded[0]}+{recorded[1]}, expected {start}+{stop - start}"
        elif not (root / npy).is_file():
            problems[npy] = "missing"
        elif (root / npy).stat().st_size != recorded[2]:
            problems[npy] = f"truncated: {(root / npy).stat().st_size} bytes, expected {recorded[2]}"
        elif _sha256(root / npy) != recorded[3]:
            problems[npy] = "checksum mismatch (sha256 differs from its marker)"
    return problems


def verify_image_dirs(path: Path) -> dict[str, str]:
    """The `verify` of a stage whose artifact is a synthetic-image directory or holds several
    (one per CFG scale or caption strategy): every directory there with a shards/ folder."""
    path = Path(path)
    roots = [d for d in [path, *sorted(p for p in path.iterdir() if p.is_dir())] if (d / "shards").is_dir()]
    return {(Path(d.relative_to(path)) / rel).as_posix(): why
            for d in roots for rel, why in verify_dataset(d).items()}

"""Caption-set statistics: diversity, coverage, length and whether captions say what was asked.

    stats = caption_stats(rows, concepts, mentions=world.mentions)

* distinct_n: unique n-grams / all n-grams (n = 1, 2, 3), over the whole set;
* vocabulary_size: distinct lower-cased words;
* concept_coverage: share of concepts with at least one caption (+ min / median / max per concept);
* mean_words: mean caption length in words;
* embedding_diversity: 1 - mean pairwise cosine similarity of MiniLM sentence embeddings
  (synclr_lib.text.minilm), on a seeded sample of at most 2,000 captions;
* mention rates: how often a caption mentions its requested concept, background, relation
  (world's `mentions()`), overall and per strategy.

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np

EMBED_SAMPLE = 2000  # captions embedded for the diversity score


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", text.lower())


def distinct_n(texts, n: int) -> float:
    """Unique n-grams over all n-grams of a set of texts (0 when there are none)."""
    grams, total = set(), 0
    for t in texts:
        w = words(t)
        g = [tuple(w[i:i + n]) for i in range(len(w) - n + 1)]
        grams.update(g)
        total += len(g)
    return len(grams) / total if total else 0.0


def embedding_diversity(texts, sample: int = EMBED_SAMPLE, seed: int = 0) -> float:
    """1 - mean off-diagonal cosine similarity of MiniLM embeddings (higher = more diverse)."""
    from ..text.minilm import embed_sentences

    texts = list(texts)
    if len(texts) < 2:
        return 0.0
    if len(texts) > sample:
        idx = np.random.default_rng(seed).choice(len(texts), size=sample, replace=False)
        texts = [texts[i] for i in sorted(idx)]
    emb = embed_sentences(texts).astype(np.float64)
    n = len(emb)
    s = emb.sum(0)
    mean_sim = (s @ s - n) / (n * (n - 1))  # rows are unit vectors: diagonal sums to n
    return float(1.0 - mean_sim)


def mention_flags(row: dict, found: dict) -> dict:
    """Whether the caption mentions its concept / background / relation (None: not asked)."""
    return {"concept": row["concept"] in found.get("objects", []),
            "background": (row["background"] in found.get("backgrounds", [])) if row.get("background") else None,
            "relation": (row["relation"] in found.get("relations", [])) if row.get("relation") else None}


def mention_rates(rows, mentions) -> dict:
    """Mention rates overall and per strategy: {"concept": .97, ..., "by_strategy": {...}}."""
    hits = defaultdict(lambda: defaultdict(list))
    for r in rows:
        flags = mention_flags(r, mentions(r["caption"]))
        for key in ("all", r["strategy"]):
            for k, v in flags.items():
                if v is not None:
                    hits[key][k].append(v)
    rate = {k: {kk: round(float(np.mean(vv)), 4) for kk, vv in d.items()} for k, d in hits.items()}
    out = dict(rate.get("all", {}))
    out["by_strategy"] = {k: v for k, v in rate.items() if k != "all"}
    return out


def caption_stats(rows, concepts, mentions=None, *, embed: bool = True, seed: int = 0) -> dict:
    """The statistics of one caption set (rows with caption, concept, strategy, ...)."""
    texts = [r["caption"] for r in rows]
    per_concept = Counter(r["concept"] for r in rows)
    counts = np.array([per_concept.get(c, 0) for c in concepts])
    vocab = {w for t in texts for w in words(t)}
    stats = {
        "n_captions": len(rows),
        "vocabulary_size": len(vocab),
        "distinct_1": round(distinct_n(texts, 1), 4),
        "distinct_2": round(distinct_n(texts, 2), 4),
        "distinct_3": round(distinct_n(texts, 3), 4),
        "mean_words": round(float(np.mean([len(words(t)) for t in texts])), 2) if texts else 0.0,
        "concept_coverage": round(float((counts > 0).mean()), 4) if len(counts) else 0.0,
        "captions_per_concept_min": int(counts.min()) if len(counts) else 0,
        "captions_per_concept_median": float(np.median(counts)) if len(counts) else 0.0,
        "captions_per_concept_max": int(counts.max()) if len(counts) else 0,
        "strategy_shares": {k: round(v / max(1, len(rows)), 4)
                            for k, v in sorted(Counter(r["strategy"] for r in rows).items())},
    }
    if embed:
        stats["embedding_diversity"] = round(embedding_diversity(texts, seed=seed), 4)
    if mentions is not None:
        stats["mention_rate"] = mention_rates(rows, mentions)
    return stats

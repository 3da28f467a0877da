"""Caption statistics, each checked against a plain hand computation."""
import numpy as np

from synclr_lib.captions.stats import (caption_stats, distinct_n, embedding_diversity, mention_rates,
                                       words)
from synclr_lib.world import mentions


def test_distinct_n_by_hand():
    texts = ["a red dress", "a red star"]
    # unigrams: a red dress a red star -> 4 unique of 6; bigrams: (a red)x2 (red dress) (red star) -> 3 of 4
    assert distinct_n(texts, 1) == 4 / 6
    assert distinct_n(texts, 2) == 3 / 4
    assert distinct_n(texts, 3) == 1.0
    assert distinct_n(["a"], 2) == 0.0
    assert words("A T-shirt, 4K!") == ["a", "t-shirt", "4k"]


def test_embedding_diversity_matches_a_plain_pairwise_mean():
    from synclr_lib.text.minilm import embed_sentences

    texts = ["a red dress on grass", "a blue star in the sky", "two letters on a wall", "a red dress"]
    e = embed_sentences(texts)
    sims = [e[i] @ e[j] for i in range(4) for j in range(4) if i != j]
    assert np.isclose(embedding_diversity(texts), 1 - np.mean(sims), atol=1e-5)
    assert abs(embedding_diversity(["same text"] * 3)) < 1e-5


def test_mention_rates_and_coverage():
    rows = [
        {"caption": "a red dress on grass", "concept": "dress", "strategy": "c_bg", "background": "grass", "relation": None},
        {"caption": "a red dress", "concept": "dress", "strategy": "c_bg", "background": "sand", "relation": None},
        {"caption": "a star next to a crescent", "concept": "star", "strategy": "c_rel", "background": None, "relation": "next to"},
        {"caption": "a big circle", "concept": "star", "strategy": "c", "background": None, "relation": None},
    ]
    rates = mention_rates(rows, mentions)
    assert rates["concept"] == 0.75 and rates["background"] == 0.5 and rates["relation"] == 1.0
    assert rates["by_strategy"]["c"] == {"concept": 0.0}
    stats = caption_stats(rows, ["dress", "star", "bag"], mentions, embed=False)
    assert stats["concept_coverage"] == round(2 / 3, 4)
    assert (stats["captions_per_concept_min"], stats["captions_per_concept_max"]) == (0, 2)
    assert stats["mean_words"] == np.mean([5, 3, 6, 3])
    assert stats["strategy_shares"] == {"c": 0.25, "c_bg": 0.5, "c_rel": 0.25}

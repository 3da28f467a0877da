import numpy as np

from synclr_lib.text.minilm import embed_sentences, token_states


def test_embeddings_are_normalised_and_semantic():
    e = embed_sentences(["a red dress on grass", "a red dress lying on the grass", "a hexagon on water"])
    assert e.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1, atol=1e-5)
    assert e[0] @ e[1] > e[0] @ e[2]


def test_token_states_shape_and_mask():
    states, mask = token_states(["a red dress", ""], max_length=16)
    assert states.shape == (2, 16, 384) and mask.shape == (2, 16)
    assert mask[0].sum() > mask[1].sum() >= 2  # [CLS] and [SEP] even for an empty caption

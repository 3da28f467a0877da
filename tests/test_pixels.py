import numpy as np
import pytest

from synclr_lib.pixels import to_tensor, to_uint8


def test_round_trip_and_range():
    x = np.random.default_rng(0).integers(0, 256, (2, 5, 5, 3), dtype=np.uint8)
    t = to_tensor(x)
    assert t.shape == (2, 3, 5, 5) and t.min() >= -1 and t.max() <= 1
    assert (to_uint8(t) == x).all()


def test_rejects_wrong_layout():
    with pytest.raises(ValueError, match="uint8 images"):
        to_tensor(np.zeros((2, 3, 5, 5), np.uint8))

"""One torch thread for the evaluation tests: their tensors are tiny, and on a shared 2-core
machine two threads spin-waiting on each other made a 0.03 s probe take 10 s (measured)."""
import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

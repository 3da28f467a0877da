"""One thread (torch and BLAS) for the evaluation tests: their arrays are tiny, and on a shared
2-core machine two spin-waiting threads made a 0.03 s probe take 10 s (measured)."""
import pytest
import torch
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        yield
    torch.set_num_threads(before)

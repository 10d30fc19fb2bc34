"""What every test shares: torch on one thread.

CI shares its cores with other jobs, and torch's worker threads spin while they wait for each
other: with one of 2 cores kept busy, a multi-class training test took 18 s on torch's default
2 threads and 0.9 s on one (quiet, both about 0.9 s). The nets here are small; one thread is
also what each trainer of the server uses (server/trainers/loop.py). Reset before every test:
the CLI's `train` sets the thread count of the process it runs in.
"""
from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    torch.set_num_threads(1)

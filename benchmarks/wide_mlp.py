"""Training workload: fit() of the wide MLP 1024-4096-4096-10, batch 256, Adam, against its peers (see training.py)."""

from .training import run_workload


def run(backends, options=None):
    return run_workload("wide_mlp", backends, options)

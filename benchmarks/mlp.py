"""Training workload: fit() of the MLP 784-512-512-10, batch 128, Adam, against its peers (see training.py)."""

from .training import run_workload


def run(backends, options=None):
    return run_workload("mlp", backends, options)

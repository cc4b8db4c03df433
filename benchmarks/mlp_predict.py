"""Training workload: predict() of the MLP 784-512-512-10 at batch 1024, against its peers (see training.py)."""

from .training import run_workload


def run(backends, options=None):
    return run_workload("mlp_predict", backends, options)

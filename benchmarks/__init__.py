"""gpukeras benchmarks: ``python -m benchmarks [names] [--backend numpy,cupy] [--tf32 ...]``.

Each workload runs on every requested backend and, where installed, on its peers (PyTorch,
Keras 3) in the same run, and the runner prints times and ratios. Speed lives here, never in tests.
"""

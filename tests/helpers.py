"""Shared test tools: finite-difference gradient checks and backend-aware array comparison."""

from dataclasses import dataclass, field

import numpy as np

import gpukeras as tf


@dataclass
class GradCase:
    """One finite-difference check: ``fn(*args)`` differentiated w.r.t. its float arguments.

    ``op`` names the public op the case covers (tests/ops/test_gradient_coverage.py checks that
    every differentiable op has at least one case). ``args`` are NumPy arrays (float64 ones are
    differentiated) or other Python values passed through unchanged.
    """

    op: str
    fn: object
    args: tuple
    kwargs: dict = field(default_factory=dict)
    rtol: float = 1e-5
    atol: float = 1e-6
    id: str = ""
    eps: float = 1e-6

    def __repr__(self):
        return f"{self.op}{'-' + self.id if self.id else ''}"


def numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar function ``f`` at the float64 array ``x``."""
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f(x)
        flat[i] = old - eps
        down = f(x)
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


def check_gradient(case, seed=0):
    """Compare tape gradients with central differences of sum(w * fn(*args)) in float64."""
    rng = np.random.default_rng(seed)
    args = [np.array(a, dtype=np.float64) if isinstance(a, np.ndarray) and a.dtype == np.float64
            else a for a in case.args]
    diff_idx = [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype == np.float64]
    assert diff_idx, f"{case}: no float64 argument to differentiate"
    # On the default device: on a GPU run this checks the GPU gradients too.
    probe = _flat_outputs(case.fn(*[tf.constant(a) if i in diff_idx else a
                                    for i, a in enumerate(args)], **case.kwargs))
    weights = [rng.standard_normal(np.shape(o)) for o in probe]

    def scalar(*values):
        outs = _flat_outputs(case.fn(*values, **case.kwargs))
        return sum(tf.reduce_sum(o * w) for o, w in zip(outs, weights)
                   if o.dtype.is_floating)

    tensors = [tf.constant(a) if i in diff_idx else a for i, a in enumerate(args)]
    with tf.GradientTape() as tape:
        for i in diff_idx:
            tape.watch(tensors[i])
        total = scalar(*tensors)
    analytic = tape.gradient(total, [tensors[i] for i in diff_idx])
    for k, i in enumerate(diff_idx):
        def f(xi, i=i):
            vals = [tf.constant(xi) if j == i else (tf.constant(a) if j in diff_idx else a)
                    for j, a in enumerate(args)]
            return float(scalar(*vals))
        expected = numerical_gradient(f, args[i].copy(), eps=case.eps)
        got = analytic[k]
        got = np.zeros_like(expected) if got is None else got.numpy()
        np.testing.assert_allclose(got, expected, rtol=case.rtol, atol=case.atol,
                                   err_msg=f"gradient of {case} w.r.t. argument {i}")


def _flat_outputs(out):
    if isinstance(out, (list, tuple)):
        return [o for item in out for o in _flat_outputs(item)]
    return [out]


def to_numpy(x):
    """A host NumPy array from a Tensor, Variable, CuPy or NumPy array."""
    if hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    if hasattr(x, "get"):
        return x.get()
    return np.asarray(x)

"""The multi-tensor optimizer twins (optimizer_twins: Adam, SGD, RMSprop) against the
published update rules written out in plain float64 NumPy, over several steps and lists of odd
sizes; in-place semantics, dtypes and argument validation."""

import numpy as np
import pytest

from gpukeras.kernels import optimizer_twins as twins

from .optim_checks import adam_hyper

SIZES = [1, 31, 1025, 4097, 70001]  # the last spans several of the twin's cache blocks
TOL = {"float64": 1e-12, "float32": 2e-5, "float16": 2e-2}
#: float16 state is stored to ~1e-3 absolute near 1: values near 0 differ by storage steps.
ATOL = {"float64": 1e-14, "float32": 2e-7, "float16": 1e-3}


def _stored(a, dtype):
    """``a`` rounded to the storage dtype (the state is stored between steps)."""
    return None if a is None else a.astype(dtype).astype(np.float64)


def _lists(rng, dtype, sizes=SIZES):
    return [rng.standard_normal(n).astype(dtype) for n in sizes]


def _adam_reference(w, g, m, v, vh, step, lr, b1, b2, eps, decay):
    """Kingma & Ba, Algorithm 1 with the 'efficient' bias correction (Keras's form)."""
    w = w - decay * w
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    if vh is not None:
        vh = np.maximum(vh, v)
    alpha = lr * np.sqrt(1 - b2 ** step) / (1 - b1 ** step)
    w = w - alpha * m / (np.sqrt(v if vh is None else vh) + eps)
    return w, m, v, vh


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("decay", [0.0, 0.004])
def test_adam_matches_the_published_rule(dtype, amsgrad, decay):
    rng = np.random.default_rng(1)
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    ws = _lists(rng, dtype)
    ms = [np.zeros_like(w) for w in ws]
    vs = [np.zeros_like(w) for w in ws]
    vhs = [np.zeros_like(w) for w in ws] if amsgrad else None
    ids = [id(a) for a in ws + ms + vs]
    ref = [[w.astype(np.float64), np.zeros(w.shape), np.zeros(w.shape),
            np.zeros(w.shape) if amsgrad else None] for w in ws]
    for step in range(1, 6):
        gs = _lists(rng, dtype)
        hyper = adam_hyper(step, lr, b1, b2, eps, decay).astype(dtype)
        assert twins.adam_multi_update(ws, gs, ms, vs, hyper, vhs) is None
        for i, g in enumerate(gs):
            ref[i] = [_stored(a, dtype) for a in _adam_reference(
                ref[i][0], g.astype(np.float64), ref[i][1], ref[i][2], ref[i][3], step, lr, b1,
                b2, eps, decay)]
        for i in range(len(ws)):
            for got, want in ((ws[i], ref[i][0]), (ms[i], ref[i][1]), (vs[i], ref[i][2])):
                assert got.dtype == np.dtype(dtype)
                np.testing.assert_allclose(got.astype(np.float64), want, rtol=TOL[dtype],
                                           atol=ATOL[dtype])
            if amsgrad:
                np.testing.assert_allclose(vhs[i].astype(np.float64), ref[i][3],
                                           rtol=TOL[dtype], atol=ATOL[dtype])
    assert [id(a) for a in ws + ms + vs] == ids  # updated in place


def _sgd_reference(w, g, m, lr, momentum, nesterov, decay):
    w = w - decay * w
    if m is None:
        return w - lr * g, None
    m = momentum * m - lr * g
    return (w + momentum * m - lr * g if nesterov else w + m), m


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
@pytest.mark.parametrize("decay", [0.0, 0.01])
def test_sgd_matches_the_published_rule(dtype, momentum, nesterov, decay):
    rng = np.random.default_rng(2)
    lr = 0.05
    ws = _lists(rng, dtype)
    ms = [np.zeros_like(w) for w in ws] if momentum else None
    ref = [(w.astype(np.float64), np.zeros(w.shape) if momentum else None) for w in ws]
    for _ in range(5):
        gs = _lists(rng, dtype)
        hyper = np.array([lr, momentum, decay], dtype)
        twins.sgd_multi_update(ws, gs, ms, hyper, nesterov)
        ref = [[_stored(a, dtype) for a in _sgd_reference(
            r[0], g.astype(np.float64), r[1], float(hyper[0]), float(hyper[1]), nesterov,
            float(hyper[2]))] for r, g in zip(ref, gs)]
        for i, w in enumerate(ws):
            np.testing.assert_allclose(w.astype(np.float64), ref[i][0], rtol=TOL[dtype],
                                       atol=ATOL[dtype])
            if momentum:
                np.testing.assert_allclose(ms[i].astype(np.float64), ref[i][1],
                                           rtol=TOL[dtype], atol=ATOL[dtype])


def test_float32_twin_is_bitwise_the_operation_order_of_the_rule():
    """float32 follows the optimizer rule's order of operations exactly (no float64 detour)."""
    rng = np.random.default_rng(3)
    w, g = rng.standard_normal(1025).astype(np.float32), rng.standard_normal(1025).astype(
        np.float32)
    m, v = np.zeros_like(w), np.zeros_like(w)
    h = adam_hyper(1).astype(np.float32)
    em = m + (g - m) * h[1]
    ev = v + (g * g - v) * h[2]
    ew = w - (em * h[0]) / (np.sqrt(ev) + h[3])
    twins.adam_multi_update([w], [g], [m], [v], h)
    assert np.array_equal(m, em) and np.array_equal(v, ev) and np.array_equal(w, ew)


def test_mixed_dtypes_and_empty_tensors():
    ws = [np.ones(3, np.float32), np.ones(0, np.float64), np.ones((2, 2), np.float16)]
    gs = [np.ones_like(w) for w in ws]
    twins.sgd_multi_update(ws, gs, None, np.array([0.5, 0.0, 0.0]))
    for w in ws:
        assert np.all(w == 0.5)


def test_one_call_over_mixed_dtypes_equals_one_call_per_dtype():
    """The hyper-parameters are rounded once per compute dtype (float16 computes in
    float32): each tensor's result is the one a call with that tensor alone gives."""
    rng = np.random.default_rng(5)
    dtypes = ["float32", "float64", "float16", "float32"]
    ws = [rng.standard_normal(70001 if i == 0 else 33).astype(d) for i, d in enumerate(dtypes)]
    gs = [rng.standard_normal(w.shape).astype(w.dtype) for w in ws]
    hyper = adam_hyper(3, decay=0.01)
    state = [[w.copy() for w in ws], [np.zeros_like(w) for w in ws],
             [np.zeros_like(w) for w in ws]]
    twins.adam_multi_update(state[0], gs, state[1], state[2], hyper)
    for i, w in enumerate(ws):
        one = [[w.copy()], [np.zeros_like(w)], [np.zeros_like(w)]]
        twins.adam_multi_update(one[0], [gs[i]], one[1], one[2], hyper)
        for got, want in zip((s[i] for s in state), (o[0] for o in one)):
            assert got.dtype == w.dtype and np.array_equal(got, want)


def test_validation():
    w = [np.ones(3, np.float32)]
    with pytest.raises(ValueError, match="grads"):
        twins.sgd_multi_update(w, [np.ones(4, np.float32)], None, np.array([0.1, 0, 0]))
    with pytest.raises(ValueError, match="grads"):
        twins.sgd_multi_update(w, [], None, np.array([0.1, 0, 0]))
    with pytest.raises(ValueError, match="hyper"):
        twins.adam_multi_update(w, w, w, w, np.array([0.1]))
    with pytest.raises(TypeError, match="floating"):
        twins.sgd_multi_update([np.ones(3, np.int32)], [np.ones(3, np.int32)], None,
                               np.array([0.1, 0, 0]))


def _rmsprop_reference(w, g, v, m, a, lr, rho, momentum, eps, centered):
    """Hinton's RMSprop as Keras writes it (epsilon inside the square root)."""
    v = rho * v + (1 - rho) * g * g
    if centered:
        a = rho * a + (1 - rho) * g
        inc = lr * g / np.sqrt(v - a * a + eps)
    else:
        inc = lr * g / np.sqrt(v + eps)
    if m is not None:
        m = momentum * m + inc
        return w - m, v, m, a
    return w - inc, v, m, a


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop_matches_the_published_rule(dtype, momentum, centered):
    rng = np.random.default_rng(4)
    lr, rho, eps = 0.01, 0.9, 1e-7
    ws = _lists(rng, dtype)
    vs = [np.zeros_like(w) for w in ws]
    ms = [np.zeros_like(w) for w in ws] if momentum else None
    avgs = [np.zeros_like(w) for w in ws] if centered else None
    ref = [[w.astype(np.float64), np.zeros(w.shape), np.zeros(w.shape) if momentum else None,
            np.zeros(w.shape)] for w in ws]
    for _ in range(5):
        gs = _lists(rng, dtype)
        hyper = np.array([lr, rho, 1 - rho, momentum, eps, 0.0], dtype)
        twins.rmsprop_multi_update(ws, gs, vs, ms, avgs, hyper)
        ref = [[_stored(a, dtype) for a in _rmsprop_reference(
            r[0], g.astype(np.float64), r[1], r[2], r[3], float(hyper[0]), float(hyper[1]),
            float(hyper[3]), float(hyper[4]), centered)] for r, g in zip(ref, gs)]
        for i, w in enumerate(ws):
            got = [w, vs[i]] + ([ms[i]] if momentum else []) + ([avgs[i]] if centered else [])
            want = [ref[i][0], ref[i][1]] + ([ref[i][2]] if momentum else []) + (
                [ref[i][3]] if centered else [])
            for x, y in zip(got, want):
                np.testing.assert_allclose(x.astype(np.float64), y, rtol=TOL[dtype],
                                           atol=ATOL[dtype])

"""Our direct cuBLAS GEMM (gpukeras/kernels/cublas.py) against NumPy's matmul on a GPU."""

import numpy as np
import pytest

from gpukeras.kernels import twins

pytestmark = pytest.mark.gpu

SHAPES = [(1, 1, 1), (31, 17, 5), (128, 784, 512), (1025, 3, 1), (2, 1025, 33)]


def _operand(cp, rng, shape, dtype, order):
    host = rng.standard_normal(shape).astype(dtype)
    if order == "F":        # a transposed view, as the backward pass passes them
        return host, cp.asarray(np.ascontiguousarray(host.T)).T
    return host, cp.asarray(host)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("orders", ["CC", "CF", "FC", "FF"])
@pytest.mark.parametrize("m,k,n", SHAPES)
def test_gemm_equals_numpy(dtype, orders, m, k, n, monkeypatch):
    cp = pytest.importorskip("cupy")
    from gpukeras.kernels import cublas
    monkeypatch.setattr(cublas, "TF32", False)
    rng = np.random.default_rng(m * 7 + n)
    a_host, a = _operand(cp, rng, (m, k), dtype, orders[0])
    b_host, b = _operand(cp, rng, (k, n), dtype, orders[1])
    out = cublas.matmul(a, b)
    assert out is not None and out.dtype == a.dtype and out.shape == (m, n)
    expected = twins.matmul(a_host.astype(np.float64), b_host.astype(np.float64))
    tol = {"float64": 1e-12, "float32": 1e-5, "float16": 2e-2}[dtype]
    np.testing.assert_allclose(cp.asnumpy(out).astype(np.float64), expected,
                               rtol=tol, atol=tol * np.sqrt(k))


def test_outside_its_scope_it_declines():
    cp = pytest.importorskip("cupy")
    from gpukeras.kernels import cublas, gpu
    x = cp.ones((2, 3, 4), cp.float32)
    assert cublas.matmul(x, cp.ones((4, 2), cp.float32)) is None       # batched
    assert cublas.matmul(cp.ones((3, 4), cp.int32), cp.ones((4, 2), cp.int32)) is None
    strided = cp.ones((6, 8), cp.float32)[::2, ::2]
    assert cublas.matmul(strided, cp.ones((4, 2), cp.float32)) is None
    # the loader's matmul falls back to CuPy for those
    np.testing.assert_array_equal(cp.asnumpy(gpu.matmul(strided, cp.ones((4, 2), cp.float32))),
                                  np.full((3, 2), 4.0))


def test_tf32_switch_changes_float32_products(monkeypatch):
    cp = pytest.importorskip("cupy")
    from gpukeras.kernels import cublas
    rng = np.random.default_rng(0)
    a_host = rng.standard_normal((256, 1024)).astype(np.float32)
    b_host = rng.standard_normal((1024, 256)).astype(np.float32)
    exact = a_host.astype(np.float64) @ b_host.astype(np.float64)
    a, b = cp.asarray(a_host), cp.asarray(b_host)
    errors = {}
    for mode in (False, True):
        monkeypatch.setattr(cublas, "TF32", mode)
        errors[mode] = np.abs(cp.asnumpy(cublas.matmul(a, b)) - exact).max()
    assert errors[False] < 1e-3 < errors[True]   # TF32 keeps a 10-bit mantissa


def test_gemm_is_capturable_into_a_cuda_graph():
    cp = pytest.importorskip("cupy")
    from gpukeras.kernels import cublas
    a = cp.asarray(np.random.default_rng(1).standard_normal((64, 32)).astype(np.float32))
    b = cp.asarray(np.random.default_rng(2).standard_normal((32, 16)).astype(np.float32))
    cublas.matmul(a, b)           # handle and workspace exist before capture
    stream = cp.cuda.Stream(non_blocking=True)
    with stream:
        stream.begin_capture()
        out = cublas.matmul(a, b)
        graph = stream.end_capture()
    a[...] = 2 * a                # the replay (ordered after this write) reads the new values
    graph.launch(cp.cuda.get_current_stream())
    np.testing.assert_allclose(cp.asnumpy(out), cp.asnumpy(a) @ cp.asnumpy(b),
                               rtol=1e-5, atol=1e-5)

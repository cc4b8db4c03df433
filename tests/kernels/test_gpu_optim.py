"""The multi-tensor optimizer kernels (optim.cu) on a real GPU against their NumPy twins, and the
optimizers' fused path on the CuPy backend. Skipped without a GPU (the ``gpu`` marker); the same
kernel checks run on the CPU through the emulator in test_emulated_optim.py."""

import numpy as np
import pytest

from gpukeras.kernels import gpu, gpu_optim

from . import optim_checks as oc

pytestmark = pytest.mark.gpu


class CupyImpl:
    def __init__(self, cupy):
        self.cp = cupy

    load = staticmethod(gpu.load)

    def to_device(self, a):
        return self.cp.asarray(a)

    def to_host(self, a):
        return self.cp.asnumpy(a)

    def writable(self, a):
        return self.cp.array(a)


@pytest.fixture(scope="module")
def impl():
    return CupyImpl(pytest.importorskip("cupy"))


def test_module_builds(impl):
    report = gpu.build(("float32", "float16", "float64", "bfloat16"))
    assert all(ok for f, _, ok, _ in report if f == "optim.cu"), report


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("kind", oc.KINDS)
def test_matches_twin(impl, kind, dtype):
    oc.check_multi(impl, kind, dtype)


def test_many_tensors_and_large_ones(impl):
    shapes = [(n,) for n in range(1, 300, 7)] + [(1 << 20,), (3, 100003)]
    oc.check_multi(impl, "adam", "float32", shapes=shapes, steps=2)


def test_hyper_parameters_live_on_the_device(impl):
    """A device hyper array changed between launches changes the update (nothing baked)."""
    cp = impl.cp
    w = [cp.zeros(5, cp.float32)]
    g = [cp.ones(5, cp.float32)]
    hyper = cp.asarray([1.0, 0.0, 0.0], cp.float32)
    gpu_optim.sgd_multi_update(w, g, None, hyper)
    hyper[0] = 2.0
    gpu_optim.sgd_multi_update(w, g, None, hyper)
    assert np.all(cp.asnumpy(w[0]) == -3.0)

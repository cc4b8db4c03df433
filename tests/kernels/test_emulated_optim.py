"""The multi-tensor optimizer kernels of optim.cu run on the CPU (tests/kernels/emulator.py)
through the real loader (gpu_optim.adam_multi_update, ...) and are compared with their
NumPy twins after every step: address and size tables, the chunk-to-tensor binary search, the
grid-stride loop over chunks, in-place writes that stay inside each tensor (guard zones), and
the launch arguments' C types. The same checks run on a real GPU in test_gpu_optim.py."""

import numpy as np
import pytest

from gpukeras.kernels import gpu, gpu_optim

from . import optim_checks as oc
from .emulator import Emulator, default_cache_dir, emulated_gpu, probe


@pytest.fixture(scope="module", autouse=True)
def _emulator_available():
    ok, why = probe()
    if not ok:
        pytest.skip(why)


@pytest.fixture(scope="module")
def emu():
    return Emulator(default_cache_dir())


class EmulatedImpl:
    def __init__(self, emu):
        self.emu = emu

    load = staticmethod(gpu.load)

    @staticmethod
    def to_device(a):
        return np.asarray(a)

    @staticmethod
    def to_host(a):
        return np.asarray(a)

    def writable(self, a):
        """A guarded output buffer holding ``a``: writes outside it fail the launch."""
        out = self.emu.output(a.shape, a.dtype)
        out[...] = a
        return out


@pytest.fixture
def impl(emu):
    with emulated_gpu(emu):
        yield EmulatedImpl(emu)


KINDS = oc.KINDS


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("kind", KINDS)
def test_matches_twin(impl, kind, dtype):
    oc.check_multi(impl, kind, dtype)


@pytest.mark.parametrize("kind", ["adam", "nesterov", "rmsprop_both"])
def test_weight_decay(impl, kind):
    oc.check_multi(impl, kind, "float32", decay=0.01, steps=2)


def test_grid_stride_over_chunks(emu):
    """With the grid capped at 2 blocks each block walks several chunks of several tensors."""
    with emulated_gpu(emu, max_grid=2):
        oc.check_multi(EmulatedImpl(emu), "amsgrad", "float32", steps=2)
    assert emu.launches[-1][1] == (2, 1, 1)


def test_one_launch_per_dtype(impl, emu):
    ws = [np.ones(5, np.float32), np.ones(7, np.float64), np.ones(9, np.float32)]
    gs = [np.ones_like(w) for w in ws]
    before = len(emu.launches)
    gpu_optim.sgd_multi_update(ws, gs, None, np.array([0.5, 0.0, 0.0]))
    names = sorted(name for name, _, _ in emu.launches[before:])
    assert names == ["sgd_multi_update_float32", "sgd_multi_update_float64"]
    assert all(np.all(w == 0.5) for w in ws)


def test_tables_are_cached_by_content(impl):
    """Address and size tables are uploaded once per distinct content (LRU-bounded)."""
    cp = gpu._cupy()
    first = gpu_optim._device_table(cp, [3, 4100, 0, 1, 3], np.int64)
    n = len(gpu_optim._OPT_TABLES)
    assert gpu_optim._device_table(cp, [3, 4100, 0, 1, 3], np.int64) is first
    assert len(gpu_optim._OPT_TABLES) == n
    np.testing.assert_array_equal(first, [3, 4100, 0, 1, 3])
    for i in range(gpu_optim._OPT_TABLES_MAX + 5):
        gpu_optim._device_table(cp, [i], np.int64)
    assert len(gpu_optim._OPT_TABLES) == gpu_optim._OPT_TABLES_MAX
    ws = [np.zeros(3, np.float32), np.zeros(4100, np.float32)]
    gs = [np.ones_like(w) for w in ws]
    gpu_optim.sgd_multi_update(ws, gs, None, np.array([1.0, 0.0, 0.0]))
    gpu_optim.sgd_multi_update(ws, gs, None, np.array([1.0, 0.0, 0.0]))
    assert np.all(ws[0] == -2) and np.all(ws[1] == -2)


def test_validation(impl):
    w = [np.ones(3, np.float32)]
    with pytest.raises(ValueError, match="hyper"):
        gpu_optim.adam_multi_update(w, w, w, w, np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="shape"):
        gpu_optim.sgd_multi_update(w, [np.ones(4, np.float32)], None, np.array([0.1, 0, 0]))
    with pytest.raises(ValueError, match="contiguous"):
        gpu_optim.sgd_multi_update([np.ones((4, 4), np.float32)[:, ::2]],
                             [np.ones((4, 2), np.float32)], None, np.array([0.1, 0, 0]))
    with pytest.raises(TypeError, match="floating"):
        gpu_optim.sgd_multi_update([np.ones(3, np.int32)], [np.ones(3, np.int32)], None,
                             np.array([0.1, 0, 0]))

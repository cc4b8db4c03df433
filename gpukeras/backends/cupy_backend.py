"""The GPU backend: CuPy arrays, cuBLAS matmuls and our fused CUDA kernels.

CuPy is imported only when this backend is first used, so ``import gpukeras`` stays cheap on
machines without a GPU.
"""

import contextlib

from .base import Backend

INSTALL_HINT = ("install CuPy for your CUDA version: pip install gpukeras[cuda12] "
                "(CUDA 12.x) or pip install gpukeras[cuda13] (CUDA 13.x)")


class BackendUnavailableError(RuntimeError):
    """The requested backend cannot run on this machine."""


def probe():
    """``(ok, reason)``: whether CuPy imports and sees at least one GPU, and why not."""
    try:
        import cupy
    except Exception as exc:  # ImportError, or a broken CUDA install raising anything
        return False, f"CuPy is not importable ({exc.__class__.__name__}: {exc}); {INSTALL_HINT}"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:
        return False, f"CuPy is installed but no GPU was found ({exc})"
    if count < 1:
        return False, "CuPy is installed but no GPU was found"
    return True, ""


class CupyBackend(Backend):
    name = "cupy"
    device_type = "gpu"

    def __init__(self):
        super().__init__()
        ok, reason = probe()
        if not ok:
            raise BackendUnavailableError(f"the cupy backend cannot start: {reason}")
        import cupy
        self._cupy = cupy
        self._rng = cupy.random.default_rng()

    @property
    def xp(self):
        return self._cupy

    @property
    def array_type(self):
        return self._cupy.ndarray

    def asarray(self, value, dtype=None):
        return self._cupy.asarray(value, dtype=dtype)

    def to_host(self, array):
        return self._cupy.asnumpy(array)

    supports_capture = True

    @contextlib.contextmanager
    def deferred_errors(self):
        from ..kernels import gpu
        previous = gpu._label_check
        gpu.set_label_check("lazy")
        try:
            yield
        finally:
            gpu.set_label_check(previous)
        gpu.check_errors()   # reached only when the block ended without an exception

    def capture(self, fn, arrays):
        from . import cuda_graphs
        return cuda_graphs.capture(self._cupy, fn, arrays)

    def device_index(self, array):
        return array.device.id

    def scope(self, index):
        return self._cupy.cuda.Device(index)

    def device_count(self):
        return self._cupy.cuda.runtime.getDeviceCount()

    def seed(self, seed):
        self._rng = self._cupy.random.default_rng(seed)

    def generator(self):
        return self._rng

    def _load_kernel(self, name):
        from ..kernels import gpu
        return gpu.load(name)

    def device_name(self, index=0):
        props = self._cupy.cuda.runtime.getDeviceProperties(index)
        name = props["name"]
        return name.decode() if isinstance(name, bytes) else str(name)

    def versions(self):
        cupy = self._cupy
        rt = cupy.cuda.runtime.runtimeGetVersion()
        drv = cupy.cuda.runtime.driverGetVersion()
        return {"cupy": cupy.__version__,
                "cuda_runtime": f"{rt // 1000}.{rt % 1000 // 10}",
                "cuda_driver": f"{drv // 1000}.{drv % 1000 // 10}"}

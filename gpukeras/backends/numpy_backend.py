"""The CPU backend: NumPy arrays, BLAS matmuls, and the NumPy twins of our GPU kernels."""

import platform

import numpy as np

from .base import Backend
from .host_memory import tune as _tune_host_memory


class NumpyBackend(Backend):
    name = "numpy"
    device_type = "cpu"

    def __init__(self):
        super().__init__()
        self._rng = np.random.default_rng()
        _tune_host_memory()

    @property
    def xp(self):
        return np

    def asarray(self, value, dtype=None):
        if type(value) is not np.ndarray and hasattr(value, "__cuda_array_interface__"):
            raise ValueError(
                "refusing an implicit copy of GPU data to the CPU; call .numpy() or use "
                "gpukeras.device('cpu') explicitly")
        return np.asarray(value, dtype=dtype)

    def quiet(self):
        return np.errstate(all="ignore")

    def to_host(self, array):
        return np.asarray(array)

    def scope(self, index):
        from contextlib import nullcontext
        return nullcontext()

    def seed(self, seed):
        self._rng = np.random.default_rng(seed)

    def generator(self):
        return self._rng

    def _load_kernel(self, name):
        from ..kernels import cpu_native, twin
        return cpu_native.load(name) or twin(name)

    def device_name(self, index=0):
        """The CPU model (from /proc/cpuinfo on Linux), else the platform's processor name."""
        try:
            with open("/proc/cpuinfo") as fh:
                for line in fh:
                    if line.startswith("model name"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.processor() or platform.machine() or "CPU"

    def versions(self):
        return {"numpy": np.__version__}


backend = NumpyBackend()
